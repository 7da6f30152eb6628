// A tiny static file server for the browser tests and `scripts/run`: serves
// one directory, plus generated JSON routes, on 127.0.0.1. Paths never leave
// the directory; unknown paths are 404.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * Serves `root` on `port` (0 picks a free one).
 * `routes` maps a path to a function returning `{ body, headers? }` (a JSON
 * value or a string), evaluated per request so tests can change answers.
 * `shared` lists the files any origin may read (CORS), as a module other
 * sites import must be.
 */
export async function serveDirectory({ root, port = 0, routes = {}, shared = [] }) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    try {
      const route = routes[path];
      if (route) {
        const { body, headers = {} } = route();
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
        response.end(text);
        return;
      }
      const relative = normalize(path === '/' ? '/index.html' : path);
      const file = join(root, relative);
      if (!file.startsWith(root + sep)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      const content = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...(shared.includes(path) ? { 'access-control-allow-origin': '*' } : {}),
      });
      response.end(content);
    } catch (error) {
      const missing = error.code === 'ENOENT' || error.code === 'EISDIR';
      response.writeHead(missing ? 404 : 500, { 'content-type': 'text/plain' });
      response.end(missing ? 'not found' : 'server error');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
