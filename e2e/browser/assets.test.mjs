// The release builds' assets after trunk's post-build hook
// (scripts/lib/post-build.mjs): the JavaScript glue and the CSS are
// minified, and every integrity hash in index.html (the stylesheet's
// `<link>`, the glue's in the import map, the wasm's in the bundle list)
// is the SHA-384 of the bytes it names, so browsers accept them.
// Checks dist/ and, when scripts/test built it, SIGIL_E2E_DIST.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { SIGIL_DIST } from './sites.mjs';

const dists = [SIGIL_DIST, process.env.SIGIL_E2E_DIST].filter(Boolean);

function scriptJson(html, attributes) {
  const text = html.match(new RegExp(`<script ${attributes}>(.*?)</script>`))?.[1];
  assert.ok(text, `index.html has <script ${attributes}>`);
  return JSON.parse(text);
}

/** Every asset index.html names, with the integrity it gives, if any. */
async function assets(dist) {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const links = [...html.matchAll(/<link\b[^>]*>/g)].map(([tag]) => ({
    name: tag.match(/\bhref="\/([^"]+)"/)?.[1],
    integrity: tag.match(/\bintegrity="([^"]+)"/)?.[1],
  }));
  const importMap = scriptJson(html, 'type="importmap"');
  const bundles = Object.values(scriptJson(html, 'type="application/json" id="sigil-bundles"'));
  return [
    ...links,
    ...bundles.map(({ js }) => ({ name: js.slice(1), integrity: importMap.integrity[js] })),
    ...bundles.map(({ wasm, wasmIntegrity }) => ({ name: wasm.slice(1), integrity: wasmIntegrity })),
  ];
}

for (const dist of dists) {
  test(`every integrity hash in ${dist}/index.html is the SHA-384 of its asset`, async () => {
    const checked = (await assets(dist)).filter((asset) => asset.integrity);
    for (const kind of ['.js', '.wasm', '.css']) {
      assert.ok(checked.filter((asset) => asset.name.endsWith(kind)).length >= (kind === '.css' ? 1 : 2), `every ${kind} asset carries an integrity hash`);
    }
    for (const { name, integrity } of checked) {
      const bytes = await readFile(join(dist, name));
      const expected = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
      assert.equal(integrity, expected, `integrity of ${name}`);
    }
  });

  test(`the JavaScript and CSS in ${dist} are minified`, async () => {
    const text = (await assets(dist)).filter((asset) => /\.(js|css)$/.test(asset.name ?? ''));
    assert.ok(text.length >= 3, 'index.html names the glue of both bundles and the stylesheet');
    for (const { name } of text) {
      const source = await readFile(join(dist, name), 'utf8');
      assert.doesNotMatch(source, /\n[ \t]+\S/, `${name} has no indented lines`);
      assert.doesNotMatch(source, /\/\*\*|^\s*\/\/ /m, `${name} has no comments`);
    }
  });
}
