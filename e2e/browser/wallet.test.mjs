// The wallet page at /, end to end against the identity manager on
// localnet: signing up there, the account number and the global principal,
// adding a passkey (and not the same one twice), renaming by keyboard,
// removing the passkey the session was signed with, signing back in with
// the new one, the two-factor switch, the account's addresses for other
// chains, and the layout from 360 px up.
//
// Each page has its own CDP virtual authenticator ("A"). A second one ("B")
// stands for another device: a new passkey has to come from an
// authenticator that does not hold one of the account's passkeys already.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { getAddress } from 'ethers';

import { consentPrincipal, givePasskey, loginResult, loginThroughPopup, openDapp, passkeysOn } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { assertEveryControlTabbable, assertNoSidewaysScroll } from './layout.mjs';

const AUTHENTICATOR = {
  protocol: 'ctap2',
  transport: 'usb',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

let env;
/** The wallet tab, signed in for the whole file. */
let wallet;
let account;
let globalPrincipal;
/** The first passkey, as CDP exports it (private key included). */
let firstPasskey;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.stop();
});

async function openWallet() {
  const page = await env.browser.open(`${env.sites.sigilUrl}/`);
  await settled(page);
  return page;
}

/** Waits until the wallet knows whether anybody is signed in. */
async function settled(page) {
  await page.locator('[data-screen=wallet-signed-out], [data-screen=wallet]').first().waitFor();
}

/** Waits for the signed-in wallet with its details loaded. */
async function signedIn(page) {
  await page.locator('[data-screen=wallet] [data-global-principal]').waitFor({ timeout: 60_000 });
}

async function deviceNames(page) {
  return page.locator('li.device').evaluateAll((rows) => rows.map((row) => row.dataset.alias));
}

/** The notice of the last change: `{ done }` or `{ failed }` text. */
async function changeNotice(page) {
  const notice = page.locator('.status-line .done, .status-line .notice').first();
  await notice.waitFor({ timeout: 60_000 });
  const text = await notice.textContent();
  return (await notice.getAttribute('class')).includes('done') ? { done: text } : { failed: text };
}

async function heldCredentials(cdp, authenticatorId) {
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

test('a person signs up on the wallet page and sees the account, the global principal and the passkey', async () => {
  wallet = await openWallet();
  await wallet.locator('[data-screen=wallet-signed-out]').waitFor();
  await env.browser.screenshot(wallet, 'wallet-signed-out');
  await wallet.getByRole('button', { name: 'Create a passkey' }).click();
  await signedIn(wallet);
  await env.browser.screenshot(wallet, 'wallet-signed-in');

  account = Number(await wallet.locator('[data-account]').getAttribute('data-account'));
  assert.ok(account >= 10_000, `account ${account} is from the configured base`);
  globalPrincipal = await wallet.locator('[data-global-principal]').getAttribute('data-global-principal');
  assert.match(globalPrincipal, /^[a-z0-9]{5}(-[a-z0-9]{1,5})+$/);
  assert.equal((await deviceNames(wallet)).length, 1);
  assert.match(await wallet.locator('li.device').textContent(), /Signed in here/);
  // The only sign-in device says so instead of offering to remove it.
  assert.equal(await wallet.getByRole('button', { name: 'Remove' }).count(), 0);
  assert.match(await wallet.locator('li.device').textContent(), /only way to sign in/);

  [firstPasskey] = await passkeysOn(env, wallet);
  assert.ok(firstPasskey, 'the passkey lives in the virtual authenticator');

  await wallet.reload();
  await signedIn(wallet);
  assert.equal(Number(await wallet.locator('[data-account]').getAttribute('data-account')), account);
  assert.equal(
    await wallet.locator('[data-global-principal]').getAttribute('data-global-principal'),
    globalPrincipal,
    'the global principal is stable',
  );
});

test('the global principal is not the one a dapp receives', async () => {
  assert.ok(globalPrincipal, 'the sign-up test ran first');
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  await consentPrincipal(popup);
  await popup.getByRole('button', { name: 'Continue', exact: true }).click();
  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.notEqual(result.principal, globalPrincipal);
  await page.close();
});

test("the wallet shows the account's addresses for EVM chains, Bitcoin and Solana, the same after a reload", async () => {
  const read = async () => {
    await wallet.locator('[data-address=evm]').waitFor({ timeout: 60_000 });
    const text = (family) => wallet.locator(`[data-address=${family}]`).textContent();
    return { evm: await text('evm'), bitcoin: await text('bitcoin'), solana: await text('solana') };
  };
  const shown = await read();
  assert.equal(getAddress(shown.evm), shown.evm, 'an EIP-55 address, as ethers writes it');
  assert.match(shown.bitcoin, /^bcrt1q[02-9ac-hj-np-z]{38}$/, 'a regtest P2WPKH address');
  assert.match(shown.solana, /^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'a base58 Solana address');
  await env.browser.screenshot(wallet, 'wallet-addresses');
  await wallet.reload();
  await signedIn(wallet);
  assert.deepEqual(await read(), shown);
});

test('the same authenticator cannot be added twice', async () => {
  assert.ok(wallet, 'the sign-up test ran first');
  await wallet.getByRole('button', { name: 'Add a passkey' }).click();
  const notice = await changeNotice(wallet);
  assert.match(notice.failed ?? '', /already registered/, JSON.stringify(notice));
  assert.equal((await deviceNames(wallet)).length, 1, 'nothing was added');
});

test('a passkey from another authenticator is added, renamed by keyboard, and signs in after the first is removed', async () => {
  assert.ok(firstPasskey, 'the sign-up test ran first');
  const { cdp, authenticatorId: first } = await env.browser.authenticator(wallet);
  // The first device leaves; another one takes its place.
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first });
  const { authenticatorId: second } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: AUTHENTICATOR,
  });

  await wallet.getByRole('button', { name: 'Add a passkey' }).click();
  const added = await changeNotice(wallet);
  assert.match(added.done ?? '', /^Added/, JSON.stringify(added));
  await wallet.locator('li.device').nth(1).waitFor();
  assert.equal((await deviceNames(wallet)).length, 2);
  const [secondPasskey] = await heldCredentials(cdp, second);
  assert.ok(secondPasskey, 'the new passkey lives in the second authenticator');
  assert.notEqual(secondPasskey.credentialId, firstPasskey.credentialId);

  // Rename the new device with the keyboard only: focus its Rename button,
  // Enter opens the form with the field focused, Enter saves.
  const newRow = wallet.locator('li.device').nth(1);
  await newRow.getByRole('button', { name: 'Rename' }).focus();
  await wallet.keyboard.press('Enter');
  const field = newRow.getByLabel('New name');
  await field.waitFor();
  assert.equal(await field.evaluate((input) => input === document.activeElement), true);
  await wallet.keyboard.press('Control+A');
  await wallet.keyboard.press('Delete');
  await wallet.keyboard.press('Enter');
  assert.match(await newRow.getByRole('alert').textContent(), /Type a name/);
  await wallet.keyboard.type('  Backup key  ');
  await env.browser.screenshot(wallet, 'wallet-rename');
  await wallet.keyboard.press('Enter');
  const renamed = await changeNotice(wallet);
  assert.match(renamed.done ?? '', /Backup key/, JSON.stringify(renamed));
  await wallet.locator('li.device[data-alias="Backup key"]').waitFor();

  // Remove the passkey this session was signed with: that signs out here.
  const oldRow = wallet.locator('li.device', { hasText: 'Signed in here' });
  await oldRow.getByRole('button', { name: 'Remove' }).click();
  await env.browser.screenshot(wallet, 'wallet-confirm-removal');
  await oldRow.getByRole('button', { name: 'Remove' }).click();
  await wallet.locator('[data-screen=wallet-signed-out]').waitFor({ timeout: 60_000 });
  assert.match(await wallet.getByRole('alert').textContent(), /signed out here/);

  // The new passkey signs in to the same account and identity.
  await wallet.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await signedIn(wallet);
  assert.equal(Number(await wallet.locator('[data-account]').getAttribute('data-account')), account);
  assert.equal(
    await wallet.locator('[data-global-principal]').getAttribute('data-global-principal'),
    globalPrincipal,
  );
  assert.deepEqual(await deviceNames(wallet), ['Backup key']);
  assert.match(await wallet.locator('li.device').textContent(), /Signed in here/);
});

test('a removed passkey no longer signs in', async () => {
  assert.ok(firstPasskey, 'the sign-up test ran first');
  const page = await openWallet();
  await givePasskey(env, page, firstPasskey);
  // This tab shares the wallet tab's session: sign out first.
  if (await page.locator('[data-screen=wallet]').count()) {
    await page.getByRole('button', { name: 'Sign out' }).click();
  }
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.locator('[data-screen=wallet-signed-out] [role=alert]').waitFor({ timeout: 60_000 });
  assert.match(await page.getByRole('alert').textContent(), /does not belong to a Sigil account/);
  await page.close();
});

test('the two-factor switch changes the account and survives a reload', async () => {
  // The previous test signed this browser out; the wallet tab holds the
  // passkey that is left.
  await wallet.reload();
  await settled(wallet);
  if (await wallet.locator('[data-screen=wallet-signed-out]').count()) {
    await wallet.getByRole('button', { name: 'Sign in with a passkey' }).click();
  }
  await signedIn(wallet);
  const toggle = wallet.getByRole('switch', { name: 'Only passkeys can sign in' });
  assert.equal(await toggle.isChecked(), false);
  await toggle.click();
  const on = await changeNotice(wallet);
  assert.match(on.done ?? '', /is on/, JSON.stringify(on));
  await wallet.waitForFunction(() => document.querySelector('[role=switch]').checked);

  await wallet.reload();
  await signedIn(wallet);
  assert.equal(await toggle.isChecked(), true, 'the setting is the account’s, not the page’s');
  await toggle.click();
  assert.match((await changeNotice(wallet)).done ?? '', /is off/);
  await wallet.waitForFunction(() => !document.querySelector('[role=switch]').checked);
});

test('the wallet fits 360 px without sideways scrolling, and every control is reachable by Tab', async () => {
  await wallet.setViewportSize({ width: 360, height: 740 });
  await signedIn(wallet);
  await assertNoSidewaysScroll(wallet);
  await env.browser.screenshot(wallet, 'wallet-360px');
  await assertEveryControlTabbable(wallet);

  await wallet.setViewportSize({ width: 1280, height: 800 });
  await env.browser.screenshot(wallet, 'wallet-desktop');
});

test('the wallet signs in by account number too', async () => {
  await wallet.getByRole('button', { name: 'Sign out' }).click();
  await wallet.locator('[data-screen=wallet-signed-out]').waitFor();
  await wallet.getByRole('button', { name: 'Use your account number' }).click();
  await wallet.getByLabel('Account number').fill(String(account));
  await wallet.keyboard.press('Enter');
  await signedIn(wallet);
  assert.equal(Number(await wallet.locator('[data-account]').getAttribute('data-account')), account);
  assert.equal(
    await wallet.locator('[data-global-principal]').getAttribute('data-global-principal'),
    globalPrincipal,
  );
});

test('a browser that refuses storage still signs the person up, for the page’s lifetime only', async () => {
  const page = await env.browser.context.newPage();
  await env.browser.authenticator(page);
  // As a frame under another site with third-party storage blocked.
  await page.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('The user denied permission to access the database.', 'UnknownError');
    };
  });
  await page.goto(`${env.sites.sigilUrl}/`);
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  await page.getByRole('button', { name: 'Create a passkey' }).click();
  await signedIn(page);
  assert.ok(Number(await page.locator('[data-account]').getAttribute('data-account')) > account);

  await page.reload();
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  await page.close();
});
