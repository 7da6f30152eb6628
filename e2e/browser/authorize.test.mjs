// The /#authorize protocol in a real browser: Sigil (the trunk build) and the
// demo dapp (with @dfinity/auth-client from npm) on two origins, against
// localnet. Phase-one behaviour: readiness, request validation, derivation
// origins, foreign windows, the timeout, and a screenshot of every screen.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loginResult, loginThroughPopup, openDapp } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';

const ED25519_KEY =
  '302a300506032b6570032100' + '11'.repeat(32);
const DAY_NS = 24n * 60n * 60n * 1_000_000_000n;

let env;
let timeoutPage;

before(async () => {
  env = await startEnvironment();
  // Opened first, checked last: this frame never gets a request.
  timeoutPage = await openDapp(env);
  await timeoutPage.evaluate(() => demo.openFrame());
});

after(async () => {
  await env?.stop();
});

/** The demo dapp with Sigil in an iframe that has said it is ready. */
async function dappWithSigilFrame() {
  const page = await openDapp(env);
  await page.evaluate(() => demo.openFrame());
  await waitForMessage(page, 'authorize-ready');
  return { page, frame: page.frame({ name: 'sigil' }) };
}

/** Waits until Sigil posted a message of `kind` to the dapp, and returns it. */
async function waitForMessage(page, kind) {
  const handle = await page.waitForFunction(
    (kind) => demo.received.find((message) => message?.kind === kind),
    kind,
  );
  return handle.jsonValue();
}

/** Posts an authorize-client request built in the page from `fields`. */
async function postRequest(page, fields) {
  await page.evaluate(
    ({ keyHex, maxTimeToLive, ...rest }) => {
      const message = { kind: 'authorize-client', ...rest };
      if (keyHex !== undefined) {
        message.sessionPublicKey = Uint8Array.from(keyHex.match(/../g), (byte) => parseInt(byte, 16));
      }
      if (maxTimeToLive !== undefined) message.maxTimeToLive = BigInt(maxTimeToLive);
      demo.postToFrame(message);
    },
    fields,
  );
}

test('Sigil posts authorize-ready to its opener and accepts the request auth-client sends (popup)', async () => {
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page, {});
  assert.deepEqual(await waitForMessage(page, 'authorize-ready'), { kind: 'authorize-ready' });
  const request = popup.locator('[data-screen=request]');
  await request.waitFor();
  const text = await request.textContent();
  assert.match(text, new RegExp(env.sites.dappUrl));
  assert.match(text, /8 hours/, "auth-client's default lifetime");
  await env.browser.screenshot(popup, 'authorize-request-popup');

  await popup.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(await loginResult(page), { status: 'error', text: 'The person cancelled the sign-in' });
  await page.close();
});

test('Sigil posts authorize-ready to its parent and shortens a 60-day lifetime to 30 days (iframe)', async () => {
  const { page, frame } = await dappWithSigilFrame();
  await frame.locator('[data-screen=waiting]').waitFor();
  await env.browser.screenshot(page, 'authorize-waiting-iframe');

  await postRequest(page, { keyHex: ED25519_KEY, maxTimeToLive: String(60n * DAY_NS) });
  const request = frame.locator('[data-screen=request]');
  await request.waitFor();
  assert.match(await request.textContent(), /30 days/);
  await env.browser.screenshot(page, 'authorize-request-iframe');

  await frame.getByRole('button', { name: 'Cancel' }).click();
  const failure = await waitForMessage(page, 'authorize-client-failure');
  assert.equal(failure.text, 'The person cancelled the sign-in');
  await frame.locator('[data-screen=cancelled]').waitFor();
  assert.match(
    await frame.locator('[data-screen=cancelled]').textContent(),
    /go back to the app/,
    'a frame has no window to close',
  );
  await env.browser.screenshot(page, 'authorize-cancelled');
  await page.close();
});

test('a malformed authorize-client produces authorize-client-failure', async () => {
  const cases = [
    [{ keyHex: undefined, sessionPublicKey: 'not bytes' }, /sessionPublicKey must be a Uint8Array, not a string/],
    [{ keyHex: '3000' }, /sessionPublicKey is not a usable public key/],
    [{}, /the request has no sessionPublicKey/],
    [{ keyHex: ED25519_KEY, maxTimeToLive: '-1' }, /maxTimeToLive must be more than zero/],
    [{ keyHex: ED25519_KEY, derivationOrigin: 42 }, /derivationOrigin must be a string/],
  ];
  for (const [index, [fields, expected]] of cases.entries()) {
    const { page, frame } = await dappWithSigilFrame();
    await postRequest(page, fields);
    const failure = await waitForMessage(page, 'authorize-client-failure');
    assert.match(failure.text, /^Invalid authorize-client request: /);
    assert.match(failure.text, expected);
    await frame.locator('[data-screen=refused]').waitFor();
    if (index === 0) await env.browser.screenshot(page, 'authorize-refused');
    await page.close();
  }
});

test('an invalid derivation origin produces authorize-client-failure through auth-client', async () => {
  const page = await openDapp(env);
  await loginThroughPopup(env, page, { derivationOrigin: 'https://evil.example' });
  const result = await loginResult(page);
  assert.equal(result.status, 'error');
  assert.match(result.text, /^Invalid derivation origin: derivationOrigin "https:\/\/evil.example" is not allowed/);
  await page.close();
});

test('a derivation origin whose alternative origins do not list the dapp produces a failure', async () => {
  const derivationOrigin = `http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:${env.sites.dappPort}`;
  env.sites.setAlternativeOrigins(['https://other.example']);
  const { page } = await dappWithSigilFrame();
  await postRequest(page, { keyHex: ED25519_KEY, derivationOrigin });
  const failure = await waitForMessage(page, 'authorize-client-failure');
  assert.match(failure.text, /does not list http:\/\/localhost:\d+/);
  await page.close();
});

test('a derivation origin whose alternative origins list the dapp is accepted', async () => {
  const derivationOrigin = `http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:${env.sites.dappPort}`;
  env.sites.setAlternativeOrigins(['https://other.example', env.sites.dappUrl]);
  const { page, frame } = await dappWithSigilFrame();
  await postRequest(page, { keyHex: ED25519_KEY, derivationOrigin });
  const request = frame.locator('[data-screen=request]');
  await request.waitFor();
  assert.match(await request.textContent(), new RegExp(`as the identity you use at ${derivationOrigin}`));
  await env.browser.screenshot(page, 'authorize-request-derivation-origin');
  await page.close();
});

test('a message from a foreign window is ignored', async () => {
  const { page, frame } = await dappWithSigilFrame();
  await page.evaluate(() => demo.openForeignFrame());
  const foreign = page.frame({ name: 'foreign' });
  // A malformed request would be refused if it came from the parent.
  await foreign.evaluate(() => sendToSigil({ kind: 'authorize-client', sessionPublicKey: 'forged' }));
  await page.waitForTimeout(500);
  assert.deepEqual(await foreign.evaluate(() => window.received), []);
  assert.deepEqual(await page.evaluate(() => demo.received.map((m) => m.kind)), ['authorize-ready']);
  await frame.locator('[data-screen=waiting]').waitFor();

  // Sigil is still listening to its parent.
  await postRequest(page, { keyHex: '00' });
  const failure = await waitForMessage(page, 'authorize-client-failure');
  assert.match(failure.text, /sessionPublicKey/);
  assert.deepEqual(await foreign.evaluate(() => window.received), []);
  await page.close();
});

test('Sigil opened without an app, the wallet and an unknown page each say what they are', async () => {
  const page = await env.browser.open(`${env.sites.sigilUrl}/#authorize`);
  await page.locator('[data-screen=no-app]').waitFor();
  await env.browser.screenshot(page, 'authorize-no-app');
  assert.equal(
    await page.evaluate(() => typeof window.wasmBindings?.e2eCreateSessionKey),
    'undefined',
    'the production build has no test entry points',
  );

  await page.goto(`${env.sites.sigilUrl}/`);
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).waitFor();

  await page.goto(`${env.sites.sigilUrl}/#nowhere`);
  await page.locator('[data-screen=not-found]').waitFor();
  await env.browser.screenshot(page, 'not-found');
  await page.close();
});

test('no request within 10 seconds shows an error to the person', async () => {
  const frame = timeoutPage.frame({ name: 'sigil' });
  await frame.locator('[data-screen=timed-out]').waitFor({ timeout: 15_000 });
  assert.deepEqual(await timeoutPage.evaluate(() => demo.received.map((m) => m.kind)), ['authorize-ready']);
  await env.browser.screenshot(timeoutPage, 'authorize-timed-out');
});
