// Signing up and in with a passkey, end to end: the demo dapp logs in with
// @dfinity/auth-client (popup), Sigil signs the person up or in against the
// identity manager on localnet, and the dapp calls the demo canister with
// the delegation it received. Every popup has its own virtual authenticator;
// the passkey made at sign-up is carried to later popups through CDP, whose
// sign counts tell how many assertions Sigil asked for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { consentPrincipal, givePasskey, loginResult, loginThroughPopup, openDapp, passkeysOn } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';

const DAY_NS = 24n * 60n * 60n * 1_000_000_000n;

let env;
/** The passkey made at sign-up, as CDP exports it (private key included). */
let passkey;
/** The principal the dapp received at sign-up. */
let principal;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.stop();
});

/**
 * Logs in from `page` with the live session: consent without a passkey
 * prompt, then Continue. The dapp's result, checked against the consent screen.
 */
async function loginWithLiveSession(page) {
  const popup = await loginThroughPopup(env, page);
  await givePasskey(env, popup, passkey);
  const shown = await consentPrincipal(popup);
  const [held] = await passkeysOn(env, popup);
  assert.equal(held.signCount, passkey.signCount, 'no assertion was made');
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown, 'the consent screen named the principal the dapp received');
  return result;
}

test('a person signs up with a passkey and whoami returns the principal auth-client reports', async () => {
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  await popup.locator('[data-screen=request]').waitFor();
  await env.browser.screenshot(popup, 'authorize-sign-in-choice');
  await popup.getByRole('button', { name: 'Create a passkey' }).click();
  const shown = await consentPrincipal(popup);
  await env.browser.screenshot(popup, 'authorize-consent');
  const held = await passkeysOn(env, popup);
  assert.equal(held.length, 1, 'one passkey was created');
  passkey = held[0];

  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown, 'the consent screen named the principal the dapp received');
  assert.equal(await page.evaluate(() => demo.whoami()), result.principal);
  principal = result.principal;
  await page.close();
});

test('a returning person with a live session gets no passkey prompt and the same principal', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const page = await openDapp(env);
  assert.equal((await loginWithLiveSession(page)).principal, principal);
  assert.equal(await page.evaluate(() => demo.whoami()), principal);
  await page.close();
});

test('another dapp origin gets another principal, and on each origin whoami is what auth-client reports', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const first = await openDapp(env);
  const second = await openDapp(env, env.sites.secondDappUrl);
  assert.notEqual(new URL(env.sites.secondDappUrl).origin, new URL(env.sites.dappUrl).origin);

  assert.equal((await loginWithLiveSession(first)).principal, principal, 'the first origin keeps its principal');
  const other = (await loginWithLiveSession(second)).principal;
  assert.notEqual(other, principal, 'the same person has another principal on another origin');

  assert.equal(await first.evaluate(() => demo.whoami()), principal);
  assert.equal(await second.evaluate(() => demo.whoami()), other);
  await first.close();
  await second.close();
});

test("Cancel on the consent screen reaches auth-client's onError and keeps the session", async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  assert.equal(await consentPrincipal(popup), principal);
  await popup.getByRole('button', { name: 'Cancel' }).click();
  assert.deepEqual(await loginResult(page), { status: 'error', text: 'The person cancelled the sign-in' });

  // Cancelling one request signs nobody out: the next one goes straight to consent.
  assert.equal((await loginWithLiveSession(page)).principal, principal);
  await page.close();
});

test('a maxTimeToLive of 60 days yields a delegation that expires within 30 days', async () => {
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page, { maxTimeToLive: String(60n * DAY_NS) });
  await consentPrincipal(popup);
  assert.match(await popup.locator('[data-screen=consent]').textContent(), /30 days/);
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  const expiration = BigInt(await page.evaluate(() => demo.delegationExpiration()));
  const now = BigInt(Date.now()) * 1_000_000n;
  assert.ok(expiration <= now + 30n * DAY_NS, `expires ${(expiration - now) / DAY_NS} days from now`);
  assert.ok(expiration > now + 29n * DAY_NS, 'the 30 days granted, not less');
  await page.close();
});

test('after signing out, the same passkey signs in (discoverable, one assertion) to the same principal', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  await givePasskey(env, popup, passkey);
  await consentPrincipal(popup);
  await popup.getByRole('button', { name: 'Use another passkey' }).click();
  await popup.locator('[data-screen=request]').waitFor();

  await popup.getByRole('button', { name: 'Continue with a passkey' }).click();
  assert.equal(await consentPrincipal(popup), principal);
  const [held] = await passkeysOn(env, popup);
  assert.equal(held.signCount, passkey.signCount + 1, 'exactly one assertion');

  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  await page.close();
});

test('double clicks make one passkey, one account and one delegation', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  /** Sigil's update calls to localnet. */
  const calls = [];
  popup.on('request', (request) => {
    if (/\/api\/v\d\/canister\/[^/]+\/call$/.test(request.url())) calls.push(request.url());
  });
  await givePasskey(env, popup, passkey);
  await consentPrincipal(popup);
  await popup.getByRole('button', { name: 'Use another passkey' }).click();
  await popup.locator('[data-screen=request]').waitFor();

  await popup.getByRole('button', { name: 'Create a passkey' }).dblclick();
  const shown = await consentPrincipal(popup);
  assert.notEqual(shown, principal, 'a new account');
  assert.equal((await passkeysOn(env, popup)).length, 2, 'one passkey more than the one given');
  assert.equal(calls.length, 1, 'one update call: create_account');

  await popup.getByRole('button', { name: 'Continue', exact: true }).dblclick();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown);
  await page.waitForTimeout(500);
  assert.equal(calls.length, 2, 'one more update call: prepare_delegation');
  await page.close();
});
