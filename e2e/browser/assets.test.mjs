// The release builds' assets after trunk's post-build hook
// (scripts/lib/minify-assets.mjs): the JavaScript glue and the CSS are
// minified, and every integrity attribute in index.html is the SHA-384 of
// the bytes it names, so browsers accept the preloads and the stylesheet.
// Checks dist/ and, when scripts/test built it, SIGIL_E2E_DIST.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';

import { SIGIL_DIST } from './sites.mjs';

const dists = [SIGIL_DIST, process.env.SIGIL_E2E_DIST].filter(Boolean);

async function linkedAssets(dist) {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  return [...html.matchAll(/<link\b[^>]*>/g)].map(([tag]) => ({
    name: tag.match(/\bhref="\/([^"]+)"/)?.[1],
    integrity: tag.match(/\bintegrity="([^"]+)"/)?.[1],
  }));
}

for (const dist of dists) {
  test(`every integrity attribute in ${dist}/index.html is the SHA-384 of its asset`, async () => {
    const assets = await linkedAssets(dist);
    const checked = assets.filter((asset) => asset.integrity);
    assert.ok(checked.some((asset) => asset.name.endsWith('.js')), 'the JavaScript glue carries an integrity hash');
    assert.ok(checked.some((asset) => asset.name.endsWith('.css')), 'the stylesheet carries an integrity hash');
    for (const { name, integrity } of checked) {
      const bytes = await readFile(join(dist, name));
      const expected = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
      assert.equal(integrity, expected, `integrity of ${name}`);
    }
  });

  test(`the JavaScript and CSS in ${dist} are minified`, async () => {
    const assets = (await linkedAssets(dist)).filter((asset) => /\.(js|css)$/.test(asset.name ?? ''));
    assert.ok(assets.length >= 2, 'index.html links the JavaScript glue and the stylesheet');
    for (const { name } of assets) {
      const text = await readFile(join(dist, name), 'utf8');
      assert.doesNotMatch(text, /\n[ \t]+\S/, `${name} has no indented lines`);
      assert.doesNotMatch(text, /\/\*\*|^\s*\/\/ /m, `${name} has no comments`);
    }
  });
}
