// Sigil in an iframe of the dapp, end to end: the dapp embeds /#authorize
// (allowed to use passkeys), speaks the protocol by hand as auth-client
// does in a popup, and builds a DelegationIdentity from the
// authorize-client-success it receives. The person creates and uses a
// passkey inside the frame; the principal must be the one popup mode gives
// the same origin. The frame is on the dapp page, so the dapp page's
// virtual authenticator holds its passkeys.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  consentPrincipal,
  givePasskey,
  loginResult,
  loginThroughFrame,
  loginThroughPopup,
  openDapp,
  passkeysOn,
} from './dapp.mjs';
import { startEnvironment } from './harness.mjs';

let env;
/** The passkey made in the frame, as CDP exports it. */
let passkey;
/** The principal the dapp received through the frame. */
let principal;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.stop();
});

test('a frame the dapp did not allow to use passkeys fails with words that say so, and no prompt', async () => {
  const page = await openDapp(env);
  const frame = await loginThroughFrame(page, { framePasskeys: false });
  await frame.locator('[data-screen=request]').waitFor();
  await frame.getByRole('button', { name: 'Create a passkey' }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'error');
  assert.match(result.text, /may not use passkeys/);
  await frame.locator('[data-screen=failed]').waitFor();
  const failed = await frame.locator('[data-screen=failed]').textContent();
  assert.match(failed, /pop-up/);
  assert.doesNotMatch(failed, /close this window/i, 'a frame has no window to close');
  await env.browser.screenshot(page, 'authorize-frame-without-passkeys');
  assert.equal((await passkeysOn(env, page)).length, 0, 'no passkey was made');
  await page.close();
});

test('a person signs up with a passkey inside the iframe and the delegation the dapp receives is the principal shown', async () => {
  const page = await openDapp(env);
  const frame = await loginThroughFrame(page);
  await frame.locator('[data-screen=request]').waitFor();
  await env.browser.screenshot(page, 'authorize-sign-in-choice-iframe');
  await frame.getByRole('button', { name: 'Create a passkey' }).click();
  const shown = await consentPrincipal(frame);
  await env.browser.screenshot(page, 'authorize-consent-iframe');
  const held = await passkeysOn(env, page);
  assert.equal(held.length, 1, 'the passkey was created inside the frame');
  passkey = held[0];

  await frame.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown, "the delegation's user key is the principal on the consent screen");
  assert.equal(await page.evaluate(() => demo.whoami()), shown, 'the canister sees the delegated principal');
  await frame.locator('[data-screen=done]').waitFor();
  assert.match(await frame.locator('[data-screen=done]').textContent(), /go back to the app/);
  await env.browser.screenshot(page, 'authorize-done-iframe');
  principal = result.principal;
  await page.close();
});

test('popup mode through auth-client gives the same principal to the same origin', async () => {
  assert.ok(principal, 'the iframe sign-up ran first');
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  // The session the frame stored serves the popup too (no passkey prompt):
  // localhost ports are one site, so the frame's storage is not partitioned.
  assert.equal(await consentPrincipal(popup), principal);
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  assert.equal(await page.evaluate(() => demo.whoami()), principal);
  await page.close();
});

test('inside the iframe, the existing passkey signs in (one assertion) to the same principal', async () => {
  assert.ok(passkey, 'the iframe sign-up ran first');
  const page = await openDapp(env);
  await givePasskey(env, page, passkey);
  const frame = await loginThroughFrame(page);
  assert.equal(await consentPrincipal(frame), principal, 'the live session goes straight to consent');
  await frame.getByRole('button', { name: 'Use another passkey' }).click();
  await frame.locator('[data-screen=request]').waitFor();

  await frame.getByRole('button', { name: 'Continue with a passkey' }).click();
  assert.equal(await consentPrincipal(frame), principal);
  const [held] = await passkeysOn(env, page);
  assert.equal(held.signCount, passkey.signCount + 1, 'exactly one assertion, made inside the frame');

  await frame.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  assert.equal(await page.evaluate(() => demo.whoami()), principal);
  await page.close();
});

test("a frame embedded by another origin gives that origin's principal, the one its popup gives", async () => {
  assert.ok(principal, 'the iframe sign-up ran first');
  const page = await openDapp(env, env.sites.secondDappUrl);
  const frame = await loginThroughFrame(page);
  const shown = await consentPrincipal(frame);
  assert.notEqual(shown, principal, "not the first origin's principal");
  await frame.getByRole('button', { name: 'Continue', exact: true }).click();
  const inFrame = await loginResult(page);
  assert.equal(inFrame.status, 'success', inFrame.text);
  assert.equal(inFrame.principal, shown);
  assert.equal(await page.evaluate(() => demo.whoami()), shown);

  const popup = await loginThroughPopup(env, page);
  assert.equal(await consentPrincipal(popup), shown);
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const inPopup = await loginResult(page);
  assert.equal(inPopup.status, 'success', inPopup.text);
  assert.equal(inPopup.principal, shown);
  await page.close();
});
