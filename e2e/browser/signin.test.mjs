// Signing up and in with a passkey, end to end: the demo dapp logs in with
// @dfinity/auth-client (popup), Sigil signs the person up or in against the
// identity manager on localnet, and the dapp calls the demo canister with
// the delegation it received. Every popup has its own virtual authenticator;
// the passkey made at sign-up is carried to later popups through CDP, whose
// sign counts tell how many assertions Sigil asked for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

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

async function openDapp() {
  const page = await env.browser.open(env.sites.dappUrl);
  await page.waitForSelector('body[data-ready=true]');
  return page;
}

async function loginThroughPopup(page, options = {}) {
  await page.evaluate((options) => demo.configureLogin(options), options);
  const [popup] = await Promise.all([env.browser.context.waitForEvent('page'), page.click('#login')]);
  return popup;
}

async function loginResult(page) {
  return (await page.waitForFunction(() => demo.lastResult, null, { timeout: 60_000 })).jsonValue();
}

async function credentials(page) {
  const { cdp, authenticatorId } = await env.browser.authenticator(page);
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

async function givePasskey(page) {
  const { cdp, authenticatorId } = await env.browser.authenticator(page);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: passkey });
}

async function consentPrincipal(popup) {
  await popup.locator('[data-screen=consent]').waitFor({ timeout: 60_000 });
  return popup.locator('[data-principal]').getAttribute('data-principal');
}

test('a person signs up with a passkey and whoami returns the principal auth-client reports', async () => {
  const page = await openDapp();
  const popup = await loginThroughPopup(page);
  await popup.locator('[data-screen=request]').waitFor();
  await env.browser.screenshot(popup, 'authorize-sign-in-choice');
  await popup.getByRole('button', { name: 'Create a passkey' }).click();
  const shown = await consentPrincipal(popup);
  await env.browser.screenshot(popup, 'authorize-consent');
  const held = await credentials(popup);
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
  const page = await openDapp();
  const popup = await loginThroughPopup(page);
  await givePasskey(popup);
  assert.equal(await consentPrincipal(popup), principal);
  const [held] = await credentials(popup);
  assert.equal(held.signCount, passkey.signCount, 'no assertion was made');

  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  assert.equal(await page.evaluate(() => demo.whoami()), principal);
  await page.close();
});

test('a maxTimeToLive of 60 days yields a delegation that expires within 30 days', async () => {
  const page = await openDapp();
  const popup = await loginThroughPopup(page, { maxTimeToLive: String(60n * DAY_NS) });
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
  const page = await openDapp();
  const popup = await loginThroughPopup(page);
  await givePasskey(popup);
  await consentPrincipal(popup);
  await popup.getByRole('button', { name: 'Use another passkey' }).click();
  await popup.locator('[data-screen=request]').waitFor();

  await popup.getByRole('button', { name: 'Continue with a passkey' }).click();
  assert.equal(await consentPrincipal(popup), principal);
  const [held] = await credentials(popup);
  assert.equal(held.signCount, passkey.signCount + 1, 'exactly one assertion');

  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  await page.close();
});
