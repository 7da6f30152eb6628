// Trunk post-build hook (see Trunk.toml): in a release build, minifies the
// JavaScript (wasm-bindgen's glue) and CSS that index.html links, with
// esbuild from e2e/node_modules, and rewrites their integrity hashes.
//
// Trunk's own minifier is not used: it is known to drop getters from
// wasm-bindgen's glue. esbuild keeps every export name, so
// `window.wasmBindings` is unchanged. File names keep trunk's content hash
// (of the unminified file), which still changes whenever the content does.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE !== 'release') {
  process.exit(0);
}

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  throw new Error('TRUNK_STAGING_DIR is not set: run this as a trunk hook');
}

function loadEsbuild() {
  try {
    return createRequire(new URL('../../e2e/package.json', import.meta.url))('esbuild');
  } catch (error) {
    throw new Error(`esbuild is not installed in e2e/node_modules (run npm ci in e2e): ${error.message}`);
  }
}
const { transform } = loadEsbuild();

const LOADERS = { js: 'js', css: 'css' };

function integrity(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

async function minify(name) {
  const loader = LOADERS[name.split('.').pop()];
  const path = join(staging, name);
  const source = await readFile(path);
  const { code } = await transform(source.toString('utf8'), {
    loader,
    minify: true,
    ...(loader === 'js' ? { format: 'esm' } : {}),
  });
  await writeFile(path, code);
  return { before: integrity(source), after: integrity(code) };
}

const htmlPath = join(staging, 'index.html');
let html = await readFile(htmlPath, 'utf8');
const links = [...html.matchAll(/<link\b[^>]*>/g)]
  .map(([tag]) => ({ name: tag.match(/\bhref="\/([^"/]+\.(?:js|css))"/)?.[1], hash: tag.match(/\bintegrity="([^"]+)"/)?.[1] }))
  .filter((link) => link.name);
if (links.length === 0) {
  throw new Error('index.html links no JavaScript or CSS: this hook no longer matches trunk’s output');
}
for (const { name, hash } of links) {
  const { before, after } = await minify(name);
  if (hash !== undefined) {
    if (hash !== before) {
      throw new Error(`the integrity of ${name} in index.html is not its SHA-384: this hook no longer matches trunk’s output`);
    }
    html = html.replace(`integrity="${before}"`, `integrity="${after}"`);
  }
}
await writeFile(htmlPath, html);
