// A server on loopback that answers as many origins, one handler per host
// name, for derivation-origin tests: plain HTTP for `http://<id>.localhost`
// origins, or HTTPS with a self-signed certificate (made by openssl) for
// canister origins such as `https://<id>.icp0.io`, which Chromium reaches
// through `--host-resolver-rules` (see `hostRules`). Every request is
// recorded as `{ host, path }`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A key and a self-signed certificate for `names` (DNS names, wildcards allowed). */
async function selfSignedCertificate(names) {
  const dir = await mkdtemp(join(tmpdir(), 'sigil-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${names[0]}`,
      '-addext', `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
    ]);
    return { key: await readFile(key), cert: await readFile(cert) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Serves `hosts` (host name → `(request, response) => void`) on a free
 * loopback port; unknown hosts get 404. With `tls: [names]` it speaks
 * HTTPS with a certificate for those names.
 */
export async function serveOrigins({ hosts, tls }) {
  const requests = [];
  const sockets = new Set();
  const handle = (request, response) => {
    const host = (request.headers.host ?? '').replace(/:\d+$/, '');
    requests.push({ host, path: request.url });
    const handler = hosts[host];
    if (handler) return handler(request, response);
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  };
  const server = tls ? createHttpsServer(await selfSignedCertificate(tls), handle) : createHttpServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    requests,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The `--host-resolver-rules` flag that sends each of `patterns` to `target` (`host[:port]`). */
export function hostRules(rules) {
  return `--host-resolver-rules=${rules.map(([pattern, target]) => `MAP ${pattern} ${target}`).join(', ')}`;
}

/** A handler that answers with the alternative-origins document listing `origins`. */
export function listing(origins) {
  return (request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    response.end(JSON.stringify({ alternativeOrigins: origins }));
  };
}
