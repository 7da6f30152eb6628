// Signing in by account number, for passkeys the browser cannot offer by
// itself. Every virtual authenticator here lacks resident-key support, so
// the passkey made at sign-up (resident key "preferred") is not
// discoverable: "Continue with a passkey" finds nothing, and the person
// types their account number instead; Sigil asks the identity manager for
// that account's credential ids and the browser for one of them. As in
// signin.test.mjs, the passkey is carried from popup to popup through CDP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { startEnvironment } from './harness.mjs';

let env;
/** The person's passkey (CDP export, private key included) and account. */
let passkey;
let account;
/** The principal the dapp received at sign-up. */
let principal;

before(async () => {
  env = await startEnvironment({ authenticator: { hasResidentKey: false } });
});

after(async () => {
  await env?.stop();
});

async function openDapp() {
  const page = await env.browser.open(env.sites.dappUrl);
  await page.waitForSelector('body[data-ready=true]');
  return page;
}

async function loginThroughPopup(page) {
  await page.evaluate(() => demo.configureLogin({}));
  const [popup] = await Promise.all([env.browser.context.waitForEvent('page'), page.click('#login')]);
  return popup;
}

async function loginResult(page) {
  return (await page.waitForFunction(() => demo.lastResult, null, { timeout: 60_000 })).jsonValue();
}

/** The kinds of the messages Sigil posted to the dapp so far. */
async function postedKinds(page) {
  return page.evaluate(() => demo.received.map((message) => message?.kind));
}

async function credentials(popup) {
  const { cdp, authenticatorId } = await env.browser.authenticator(popup);
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

async function give(popup, credential) {
  const { cdp, authenticatorId } = await env.browser.authenticator(popup);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
}

async function consent(popup) {
  await popup.locator('[data-screen=consent]').waitFor({ timeout: 60_000 });
  return {
    principal: await popup.locator('[data-principal]').getAttribute('data-principal'),
    account: await popup.locator('[data-account]').getAttribute('data-account'),
  };
}

/**
 * Signs up in `popup` (on the request screen) and approves: the new
 * passkey, account and principal.
 */
async function signUp(page, popup) {
  await popup.getByRole('button', { name: 'Create a passkey' }).click();
  const shown = await consent(popup);
  const held = await credentials(popup);
  assert.equal(held.length, 1, 'one passkey was created');
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown.principal);
  return { passkey: held[0], account: shown.account, principal: result.principal };
}

/**
 * A popup on the request screen, signed out, whose authenticator holds
 * `held` (the session stored by the last sign-in leads to consent first).
 */
async function signedOutPopup(page, held = [passkey]) {
  const popup = await loginThroughPopup(page);
  for (const credential of held) await give(popup, credential);
  await consent(popup);
  await popup.getByRole('button', { name: 'Use another passkey' }).click();
  await popup.locator('[data-screen=request]').waitFor();
  return popup;
}

const accountNumberInput = (popup) => popup.getByLabel('Account number');
const focusedText = (popup) => popup.evaluate(() => document.activeElement?.textContent ?? null);

test('a person signs up from the demo dapp and their passkey is not discoverable', async () => {
  const page = await openDapp();
  const popup = await loginThroughPopup(page);
  await popup.locator('[data-screen=request]').waitFor();
  ({ passkey, account, principal } = await signUp(page, popup));
  assert.equal(passkey.isResidentCredential, false, 'the authenticator kept no discoverable passkey');
  assert.match(account, /^\d+$/);
  assert.equal(await page.evaluate(() => demo.whoami()), principal);
  await page.close();
});

test('when the browser offers no passkey, the account number signs the person in to the same principal', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const page = await openDapp();
  const popup = await signedOutPopup(page);

  await popup.getByRole('button', { name: 'Continue with a passkey' }).click();
  const notice = popup.locator('[data-screen=request] > .notice');
  await notice.waitFor({ timeout: 60_000 });
  assert.match(await notice.textContent(), /use your account number/);
  await env.browser.screenshot(popup, 'authorize-passkey-not-offered');
  assert.deepEqual(await postedKinds(page), ['authorize-ready'], 'nothing was posted to the dapp');
  assert.equal(await page.evaluate(() => demo.lastResult), null);

  // By keyboard: Tab from Cancel reaches the link, Enter opens the form,
  // whose input takes the focus.
  await popup.getByRole('button', { name: 'Cancel' }).focus();
  await popup.keyboard.press('Tab');
  assert.equal(await focusedText(popup), 'Use your account number');
  await popup.keyboard.press('Enter');
  const input = accountNumberInput(popup);
  await input.waitFor();
  assert.equal(await popup.evaluate(() => document.activeElement?.id), 'account-number');
  assert.equal(await input.getAttribute('inputmode'), 'numeric');
  assert.equal(await input.getAttribute('autocomplete'), 'off');
  assert.ok(await popup.getByText('Account number', { exact: true }).isVisible(), 'the label is visible');
  // Typed with a space between digit groups, as people write long numbers.
  await popup.keyboard.type(account.replace(/(\d{3})$/, ' $1'));
  await env.browser.screenshot(popup, 'authorize-account-number');
  await popup.keyboard.press('Enter');

  const shown = await consent(popup);
  assert.deepEqual(shown, { principal, account });
  const [held] = await credentials(popup);
  assert.equal(held.signCount, passkey.signCount + 1, 'exactly one assertion');
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, principal);
  assert.equal(await page.evaluate(() => demo.whoami()), principal, 'whoami through auth-client');
  await page.close();
});

test('a wrong account number shows a notice, posts nothing to the dapp, and the person can correct it', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  const page = await openDapp();
  const popup = await signedOutPopup(page);
  await popup.getByRole('button', { name: 'Use your account number' }).click();
  const input = accountNumberInput(popup);

  // Checked in the page before anything is asked of the network.
  await input.press('Enter');
  const problem = popup.locator('#account-number-error');
  assert.equal(await problem.textContent(), 'Enter your account number.');
  await input.fill('12a4');
  await input.press('Enter');
  assert.equal(await problem.textContent(), 'An account number has only digits: remove “a”.');
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  await env.browser.screenshot(popup, 'authorize-account-number-invalid');

  const unknown = String(BigInt(account) + 1_000_000n);
  await input.fill(unknown);
  await input.press('Enter');
  const notice = popup.locator('[data-screen=request] > .notice');
  await notice.waitFor({ timeout: 60_000 });
  assert.equal(await notice.textContent(), `There is no account ${unknown}. Check the number and try again.`);
  assert.equal(await accountNumberInput(popup).inputValue(), unknown, 'the form stays open with the number');
  await env.browser.screenshot(popup, 'authorize-account-number-unknown');
  assert.deepEqual(await postedKinds(page), ['authorize-ready'], 'nothing was posted to the dapp');
  assert.equal(await page.evaluate(() => demo.lastResult), null);
  const [unused] = await credentials(popup);
  assert.equal(unused.signCount, passkey.signCount, 'no passkey was asked');

  // Escape closes the form and returns the focus to the link that opened it.
  await accountNumberInput(popup).press('Escape');
  await popup.getByRole('button', { name: 'Continue with a passkey' }).waitFor();
  assert.equal(await focusedText(popup), 'Use your account number');

  await popup.getByRole('button', { name: 'Use your account number' }).click();
  await accountNumberInput(popup).fill(account);
  await accountNumberInput(popup).press('Enter');
  assert.equal((await consent(popup)).principal, principal);
  await page.close();
});

test('a passkey of another account cannot sign in to the account typed', async () => {
  assert.ok(passkey, 'the sign-up test ran first');
  // A second person, with an account of their own.
  const page = await openDapp();
  const other = await signUp(page, await signedOutPopup(page, []));
  assert.notEqual(other.account, account);

  // An authenticator that ignores allowCredentials and answers with the
  // other person's passkey, which it also holds.
  const popup = await signedOutPopup(page, [passkey, other.passkey]);
  await popup.evaluate((otherId) => {
    const ask = CredentialsContainer.prototype.get;
    const id = Uint8Array.from(atob(otherId), (c) => c.charCodeAt(0));
    CredentialsContainer.prototype.get = function (options) {
      options.publicKey.allowCredentials = [{ type: 'public-key', id }];
      return ask.call(this, options);
    };
  }, other.passkey.credentialId);
  const received = (await postedKinds(page)).length;

  await popup.getByRole('button', { name: 'Use your account number' }).click();
  await accountNumberInput(popup).fill(account);
  await accountNumberInput(popup).press('Enter');
  const notice = popup.locator('[data-screen=request] > .notice');
  await notice.waitFor({ timeout: 60_000 });
  assert.equal(
    await notice.textContent(),
    `This passkey belongs to account ${other.account}, not to account ${account}. Check the number, or choose another passkey.`,
  );
  const signCounts = Object.fromEntries((await credentials(popup)).map((c) => [c.credentialId, c.signCount]));
  assert.equal(signCounts[other.passkey.credentialId], other.passkey.signCount + 1, 'the other passkey answered');
  assert.equal((await postedKinds(page)).length, received, 'nothing was posted to the dapp');
  await popup.close();

  // Nobody was signed in: the next request asks how to sign in.
  const next = await loginThroughPopup(page);
  await next.locator('[data-screen=request]').waitFor({ timeout: 60_000 });
  await page.close();
});
