// Sigil's two bundles (index.html, scripts/lib/post-build.mjs): /#authorize
// loads the `authorize` bundle and nothing of the `app` bundle; every other
// route loads `app`; leaving /#authorize in the same document loads the
// page again, so the wallet works there too. No network is needed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { launchBrowser } from './browser.mjs';
import { SIGIL_DIST, startSites } from './sites.mjs';

let sites;
let browser;
let bundles;

before(async () => {
  const html = await readFile(join(SIGIL_DIST, 'index.html'), 'utf8');
  bundles = JSON.parse(html.match(/<script type="application\/json" id="sigil-bundles">(.*?)<\/script>/)[1]);
  sites = await startSites({ networkUrl: 'http://127.0.0.1:9', ids: { demo: 'aaaaa-aa' } });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await sites?.stop();
});

/** A tab that records the paths of the `.js` and `.wasm` files it fetches. */
async function recordingTab() {
  const page = await browser.context.newPage();
  const fetched = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (/\.(js|wasm)$/.test(pathname)) fetched.push(pathname);
  });
  return { page, fetched };
}

test('/#authorize loads only the authorize bundle, and leaving it loads the wallet', async () => {
  const { page, fetched } = await recordingTab();
  await page.goto(`${sites.sigilUrl}/#authorize`);
  await page.locator('[data-screen=no-app]').waitFor();
  assert.deepEqual(fetched.sort(), [bundles.authorize.js, bundles.authorize.wasm].sort());

  fetched.length = 0;
  await page.evaluate(() => {
    location.hash = '';
  });
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  assert.deepEqual(fetched.sort(), [bundles.app.js, bundles.app.wasm].sort());
  await page.close();
});

test('the wallet loads the app bundle, which also serves /#authorize', async () => {
  const { page, fetched } = await recordingTab();
  await page.goto(`${sites.sigilUrl}/`);
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  await page.evaluate(() => {
    location.hash = '#authorize';
  });
  await page.locator('[data-screen=no-app]').waitFor();
  assert.deepEqual(fetched.sort(), [bundles.app.js, bundles.app.wasm].sort());
  await page.close();
});
