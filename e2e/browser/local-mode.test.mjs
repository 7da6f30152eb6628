// A local network's rules (its root key fetched from the network itself,
// `http://<id>.localhost` derivation origins) hold only where Sigil is
// served from this computer. The release build is served twice against the
// same localnet, both with `"network":"local"` in /sigil.json: at
// http://localhost:PORT, and at http://sigil.test:PORT, a name Chromium
// resolves to 127.0.0.1 through its host resolver rules but that is not a
// loopback host name. The second refuses, on the page and to the dapp.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { failureOn, requestInFrame } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { hostRules } from './origin-server.mjs';
import { startSites } from './sites.mjs';

let env;
/** Sigil at http://sigil.test:PORT, with its own two dapp origins. */
let remote;
/** Every URL the browser asked for. */
const requested = [];

before(async () => {
  env = await startEnvironment({ browser: { args: [hostRules([['sigil.test', '127.0.0.1']])] } });
  remote = await startSites({ networkUrl: env.net.url, ids: env.net.ids, sigilHost: 'sigil.test' });
  env.browser.context.on('request', (request) => requested.push(request.url()));
});

after(async () => {
  await remote?.stop();
  await env?.stop();
});

/**
 * A request from the first dapp of `sites` whose derivation origin is a
 * local canister origin that lists the dapp.
 */
async function requestWithLocalDerivationOrigin(sites) {
  const derivationOrigin = `http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:${sites.dappPort}`;
  sites.setAlternativeOrigins([sites.dappUrl]);
  return { ...(await requestInFrame(env, sites.dappUrl, { derivationOrigin })), derivationOrigin };
}

test('served from localhost, Sigil accepts a local derivation origin on a local network', async () => {
  const { page, frame, derivationOrigin } = await requestWithLocalDerivationOrigin(env.sites);
  const request = frame.locator('[data-screen=request]');
  await request.waitFor();
  assert.match(await request.textContent(), new RegExp(`as the identity you use at ${derivationOrigin}`));
  await page.close();
});

test('served from a host that is not loopback, Sigil refuses a local network: no root key, no local origin', async () => {
  requested.length = 0;
  const { page, frame, derivationOrigin } = await requestWithLocalDerivationOrigin(remote);
  const { text } = await failureOn(page);
  assert.equal(
    text,
    'Sigil could not load its configuration: /sigil.json names a local development network, but Sigil is served from sigil.test, not from this computer; a local network is used only when Sigil is opened at localhost',
  );
  const broken = frame.locator('[data-screen=broken]');
  await broken.waitFor();
  assert.match(await broken.textContent(), /Sigil is served from sigil\.test, not from this computer/);
  await env.browser.screenshot(page, 'authorize-local-network-refused');

  // Give a late fetch the chance to show itself, then check none was made.
  await page.waitForTimeout(1_000);
  assert.ok(requested.some((url) => url === `${remote.sigilUrl}/sigil.json`), 'the configuration was read');
  assert.deepEqual(
    requested.filter((url) => url.startsWith(env.net.url)),
    [],
    'nothing was asked of the local network (no root key)',
  );
  assert.deepEqual(
    requested.filter((url) => url.startsWith(derivationOrigin)),
    [],
    'the local derivation origin was not consulted',
  );
  await page.close();
});
