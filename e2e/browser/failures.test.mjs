// When the network or a canister fails under a person who is signing in:
// every wait shows progress, the dapp always gets authorize-client-failure
// in words that say what happened, the person sees it too, and nothing is
// lost: the session on this device serves the next request once the
// network is back. Network failures are the browser's own (Playwright
// aborts the requests to localnet, as a dropped connection would); the
// canister failure is the identity manager stopped by its controller.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { setCanisterRunning } from '../localnet/management.mjs';
import { consentPrincipal, loginResult, loginThroughFrame, loginThroughPopup, openDapp, passkeysOn } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';

let env;
/** The principal the first dapp origin received at sign-up. */
let principal;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.stop();
});

/**
 * Makes every request of `target` (a page with its frames, or the whole
 * browser context) to localnet fail as a dropped connection does; resolves
 * to the function that restores the network.
 */
async function cutNetwork(target) {
  const pattern = `${env.net.url}/**`;
  const handler = (route) => route.abort('internetdisconnected');
  await target.route(pattern, handler);
  return () => target.unroute(pattern, handler);
}

/** Makes Sigil's `/sigil.json` missing for `target` (a page with its frames). */
async function hideConfiguration(target) {
  await target.route(`${env.sites.sigilUrl}/sigil.json`, (route) => route.fulfill({ status: 404, body: 'not found' }));
}

/** The URL pattern of update calls to localnet's canisters. */
function canisterCalls() {
  return `${env.net.url}/api/*/canister/*/call`;
}

/**
 * Holds the requests of `page` whose URL matches `pattern` until `release()`;
 * `arrived` resolves when the first one is held.
 */
async function holdRequests(page, pattern) {
  let arrive;
  const arrived = new Promise((resolve) => (arrive = resolve));
  let open;
  const released = new Promise((resolve) => (open = resolve));
  const held = [];
  const handler = (route) => {
    arrive();
    const continued = released.then(() => route.continue());
    held.push(continued);
    return continued;
  };
  await page.route(pattern, handler);
  return {
    arrived,
    async release() {
      open();
      await Promise.all(held);
      await page.unroute(pattern, handler);
    },
  };
}

/** The progress Sigil shows in `frame` on the screen `name`: its text, announced as a status. */
async function progressOn(frame, name) {
  const status = frame.locator(`[data-screen=${name}] [role=status]`);
  await status.waitFor();
  return status.textContent();
}

/**
 * Logs in from `page` with the live session, through a new Sigil frame or
 * pop-up: straight to consent for the signed-up principal, Continue, success.
 */
async function signInAgain(page, { through }) {
  const sigil = through === 'frame' ? await loginThroughFrame(page) : await loginThroughPopup(env, page);
  assert.equal(await consentPrincipal(sigil), principal, 'the live session goes straight to consent');
  await sigil.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
}

test('signing up shows progress while the account is created, then consent', async () => {
  const page = await openDapp(env);
  const frame = await loginThroughFrame(page);
  await frame.locator('[data-screen=request]').waitFor();
  const calls = await holdRequests(page, canisterCalls());
  await frame.getByRole('button', { name: 'Create a passkey' }).click();
  await calls.arrived;
  assert.equal(await progressOn(frame, 'working'), 'Creating your account…');
  await env.browser.screenshot(page, 'authorize-working');
  await calls.release();

  const shown = await consentPrincipal(frame);
  await frame.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown);
  principal = result.principal;
  await page.close();
});

test('approving shows progress until the delegation is issued', async () => {
  assert.ok(principal, 'the sign-up test ran first');
  const page = await openDapp(env);
  const frame = await loginThroughFrame(page);
  assert.equal(await consentPrincipal(frame), principal);
  const calls = await holdRequests(page, canisterCalls());
  await frame.getByRole('button', { name: 'Continue', exact: true }).click();
  await calls.arrived;
  assert.equal(await progressOn(frame, 'working'), `Signing you in to ${env.sites.dappUrl}…`);
  assert.equal(await page.evaluate(() => demo.lastResult), null, 'the dapp is still waiting');
  await calls.release();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  await page.close();
});

test('checking a derivation origin shows progress while its alternative origins are fetched', async () => {
  assert.ok(principal, 'the sign-up test ran first');
  const derivationOrigin = `http://bkyz2-fmaaa-aaaaa-qaaaq-cai.localhost:${env.sites.dappPort}`;
  env.sites.setAlternativeOrigins([env.sites.dappUrl]);
  const page = await openDapp(env);
  const document = await holdRequests(page, `${derivationOrigin}/.well-known/ii-alternative-origins`);
  const frame = await loginThroughFrame(page, { derivationOrigin });
  await document.arrived;
  assert.equal(await progressOn(frame, 'checking'), `Checking the request from ${env.sites.dappUrl}…`);
  await env.browser.screenshot(page, 'authorize-checking');
  await document.release();

  await consentPrincipal(frame);
  assert.match(
    await frame.locator('[data-screen=consent]').textContent(),
    new RegExp(`as the identity you use at ${derivationOrigin}`),
  );
  await frame.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await loginResult(page)).status, 'error');
  await page.close();
});

test('the network failing on Continue gives the dapp a failure that says so, and the session survives', async () => {
  assert.ok(principal, 'the sign-up test ran first');
  const page = await openDapp(env);
  const frame = await loginThroughFrame(page);
  assert.equal(await consentPrincipal(frame), principal);
  const restore = await cutNetwork(page);
  await frame.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'error');
  assert.match(result.text, /^Sigil could not issue the delegation: The Internet Computer could not be reached/);
  const failed = frame.locator('[data-screen=failed]');
  await failed.waitFor();
  const shown = await failed.textContent();
  assert.match(shown, /Sigil could not sign you in/);
  assert.match(shown, /could not be reached/);
  assert.match(shown, /Try again from the app/);
  await env.browser.screenshot(page, 'authorize-failed');
  await restore();

  // The session on this device was kept: no passkey is needed (this page's
  // authenticator holds none), and the principal is the same.
  await signInAgain(page, { through: 'frame' });
  assert.equal((await passkeysOn(env, page)).length, 0);
  await page.close();
});

test('the network down when auth-client asks gives it a failure that says so, and the next login works', async () => {
  assert.ok(principal, 'the sign-up test ran first');
  const page = await openDapp(env);
  // The whole context: the pop-up is a page of its own.
  const restore = await cutNetwork(env.browser.context);
  await loginThroughPopup(env, page);
  const result = await loginResult(page);
  assert.equal(result.status, 'error');
  assert.match(result.text, /^Sigil could not sign the person in: The Internet Computer could not be reached/);
  await restore();

  await signInAgain(page, { through: 'popup' });
  await page.close();
});

test('a stopped identity manager gives auth-client a failure that says so, and sign-in works once it runs', async () => {
  assert.ok(principal, 'the sign-up test ran first');
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  assert.equal(await consentPrincipal(popup), principal);
  await setCanisterRunning(env.net, 'identity_manager', false);
  try {
    await popup.getByRole('button', { name: 'Continue', exact: true }).click();
    const result = await loginResult(page);
    assert.equal(result.status, 'error');
    assert.match(
      result.text,
      new RegExp(
        `^Sigil could not issue the delegation: The Internet Computer refused the request: Canister ${env.net.ids.identity_manager} is stopped`,
      ),
    );
  } finally {
    await setCanisterRunning(env.net, 'identity_manager', true);
  }

  await signInAgain(page, { through: 'popup' });
  assert.equal(await page.evaluate(() => demo.whoami()), principal);
  await page.close();
});

test('a Sigil that cannot load its configuration tells the dapp and the person, and blames neither', async () => {
  const page = await openDapp(env);
  await hideConfiguration(page);
  const frame = await loginThroughFrame(page);
  const result = await loginResult(page);
  assert.equal(result.status, 'error');
  assert.match(result.text, /^Sigil could not load its configuration: /);
  const broken = frame.locator('[data-screen=broken]');
  await broken.waitFor();
  const shown = await broken.textContent();
  assert.match(shown, /Sigil could not start the sign-in/);
  assert.doesNotMatch(shown, /developers/, "not the app's fault");
  await env.browser.screenshot(page, 'authorize-broken');

  const wallet = await env.browser.open('about:blank');
  await hideConfiguration(wallet);
  await wallet.goto(`${env.sites.sigilUrl}/`);
  await wallet.locator('[data-screen=wallet-broken]').waitFor();
  assert.match(await wallet.locator('[data-screen=wallet-broken]').textContent(), /Sigil is not set up correctly/);
  await env.browser.screenshot(wallet, 'wallet-broken');
  await wallet.close();
  await page.close();
});

test('the wallet says when the network cannot be reached, and Try again loads the account', async () => {
  assert.ok(principal, 'the sign-up test ran first');
  const page = await env.browser.open('about:blank');
  const restore = await cutNetwork(page);
  await page.goto(`${env.sites.sigilUrl}/`);
  const wallet = page.locator('[data-screen=wallet]');
  const alert = wallet.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /Your wallet could not be loaded.*could not be reached/s);
  assert.equal(await wallet.locator('[data-global-principal]').count(), 0);
  // Nothing can be changed on an account that did not load.
  assert.ok(await page.getByRole('button', { name: 'Add a passkey' }).isDisabled());
  assert.ok(await page.getByRole('switch').isDisabled());
  await env.browser.screenshot(page, 'wallet-unreachable');

  await restore();
  await wallet.getByRole('button', { name: 'Try again' }).click();
  await wallet.locator('[data-global-principal]').waitFor();
  assert.equal(await alert.count(), 0, 'the error is gone');
  assert.ok(await page.getByRole('button', { name: 'Add a passkey' }).isEnabled());
  assert.notEqual(
    await wallet.locator('[data-global-principal]').getAttribute('data-global-principal'),
    principal,
    "the wallet shows the global principal, not the dapp's",
  );
  await page.close();
});
