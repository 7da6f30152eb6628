// Trunk post-build hook (see Trunk.toml and index.html):
// - in a release build, minifies the JavaScript (wasm-bindgen's glue) and
//   the CSS with esbuild from e2e/node_modules, and rewrites the
//   stylesheet's integrity hash;
// - names the `authorize` bundle (a trunk "worker", see index.html) with
//   a hash of its content, as trunk names the `app` bundle;
// - replaces the note trunk wrote for the `app` bundle
//   (`<script type="application/json" data-sigil-bundle>`) with the loader:
//   a JSON list of the bundles (`#sigil-bundles`: glue, wasm and the wasm's
//   integrity), an import map holding the glue's integrity, and one module
//   script that imports the `authorize` bundle on /#authorize and the `app`
//   bundle on every other route.
//
// Trunk's own minifier is not used: it is known to drop getters from
// wasm-bindgen's glue. esbuild keeps every export name, so
// `window.wasmBindings` is unchanged. File names keep trunk's content hash
// (of the unminified file), which still changes whenever the content does.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  throw new Error('TRUNK_STAGING_DIR is not set: run this as a trunk hook');
}
const release = process.env.TRUNK_PROFILE === 'release';

function loadEsbuild() {
  try {
    return createRequire(new URL('../../e2e/package.json', import.meta.url))('esbuild');
  } catch (error) {
    throw new Error(`esbuild is not installed in e2e/node_modules (run npm ci in e2e): ${error.message}`);
  }
}

const LOADERS = { js: 'js', css: 'css' };

function integrity(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** Minifies `/name` in place (release builds only); the integrity before and after. */
async function minify(name) {
  const path = join(staging, name);
  const source = await readFile(path);
  if (!release) return { before: integrity(source), after: integrity(source) };
  const loader = LOADERS[name.split('.').pop()];
  const { code } = await loadEsbuild().transform(source.toString('utf8'), {
    loader,
    minify: true,
    ...(loader === 'js' ? { format: 'esm' } : {}),
  });
  await writeFile(path, code);
  return { before: integrity(source), after: integrity(code) };
}

const htmlPath = join(staging, 'index.html');
let html = await readFile(htmlPath, 'utf8');

const stylesheets = [...html.matchAll(/<link\b[^>]*>/g)]
  .map(([tag]) => ({ name: tag.match(/\bhref="\/([^"/]+\.css)"/)?.[1], hash: tag.match(/\bintegrity="([^"]+)"/)?.[1] }))
  .filter((link) => link.name);
if (stylesheets.length === 0) {
  throw new Error('index.html links no CSS: this hook no longer matches trunk’s output');
}
for (const { name, hash } of stylesheets) {
  const { before, after } = await minify(name);
  if (hash !== undefined) {
    if (hash !== before) {
      throw new Error(`the integrity of ${name} in index.html is not its SHA-384: this hook no longer matches trunk’s output`);
    }
    html = html.replace(`integrity="${before}"`, `integrity="${after}"`);
  }
}

// The `app` bundle: trunk's note names its (hashed) files.
const NOTE = /<script type="application\/json" data-sigil-bundle>(.*?)<\/script>/g;
const notes = [...html.matchAll(NOTE)].map((match) => JSON.parse(match[1]));
if (notes.length !== 1 || !/^\/app-[0-9a-f]+\.js$/.test(notes[0].js)) {
  throw new Error('index.html must build the main bundle `app`: this hook no longer matches it');
}
// The `authorize` bundle: built as a trunk "worker", under its plain
// names, which get a content hash here.
async function hashName(name, suffix) {
  const bytes = await readFile(join(staging, `${name}${suffix}`));
  const hashed = `${name}-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${suffix}`;
  await rename(join(staging, `${name}${suffix}`), join(staging, hashed));
  return `/${hashed}`;
}
await minify(notes[0].js.slice(1));
await minify('authorize.js');
// The EVM provider module dapps import, under its stable name.
await minify('evm-provider.js');
const files = {
  authorize: { js: await hashName('authorize', '.js'), wasm: await hashName('authorize', '_bg.wasm') },
  app: notes[0],
};
const fileIntegrity = async (path) => integrity(await readFile(join(staging, path.slice(1))));
const bundles = {};
const glueIntegrity = {};
for (const [name, { js, wasm }] of Object.entries(files)) {
  glueIntegrity[js] = await fileIntegrity(js);
  bundles[name] = { js, wasm, wasmIntegrity: await fileIntegrity(wasm) };
}

// `<` never appears in the JSON (file names and base64), so it cannot end
// the script elements early.
const loader = `<script type="application/json" id="sigil-bundles">${JSON.stringify(bundles)}</script>
<script type="importmap">${JSON.stringify({ integrity: glueIntegrity })}</script>
<script type="module">
const bundles = JSON.parse(document.getElementById('sigil-bundles').textContent);
const bundle = location.hash === '#authorize' ? bundles.authorize : bundles.app;
const bindings = await import(bundle.js);
const wasm = await bindings.default({ module_or_path: fetch(bundle.wasm, { integrity: bundle.wasmIntegrity }) });
window.wasmBindings = bindings;
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
</script>`;
html = html.replace(NOTE, () => loader);
await writeFile(htmlPath, html);
