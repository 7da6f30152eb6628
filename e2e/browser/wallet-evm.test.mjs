// The wallet on an EVM chain, end to end: the identity manager and the
// signer on localnet, a Hardhat node (chain 31337) named in Sigil's
// configuration, Chromium with a virtual passkey. The wallet shows the
// three addresses with their QR codes and the balance; the test-funds
// button funds the address; a send below the policy's step-up amount is
// approved and mined; one above it is confirmed with the passkey first;
// one over the limit is refused in words and nothing is sent; the policy
// and the signatures made are shown; a tightening applies at once and a
// loosening waits until the passkey cancels it; all of it at 360 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { JsonRpcProvider, getAddress, parseEther } from 'ethers';

import { startEnvironment } from './harness.mjs';
import { assertEveryControlTabbable, assertNoSidewaysScroll } from './layout.mjs';

const RECIPIENT = '0x3535353535353535353535353535353535353535';

let env;
let wallet;
let chain;
let address;

before(async () => {
  env = await startEnvironment({ evm: true });
  chain = new JsonRpcProvider(env.node.url, 31337, { staticNetwork: true });
  wallet = await env.browser.open(`${env.sites.sigilUrl}/`);
  await wallet.locator('[data-screen=wallet-signed-out]').waitFor();
  await wallet.getByRole('button', { name: 'Create a passkey' }).click();
  await wallet.locator('[data-screen=wallet] [data-global-principal]').waitFor({ timeout: 60_000 });
});

after(async () => {
  chain?.destroy();
  await env?.stop();
});

const card = () => wallet.locator('[data-section=evm-chain][data-chain-id="31337"]');

async function balanceShown() {
  const shown = card().locator('[data-balance]');
  await shown.waitFor({ timeout: 60_000 });
  return BigInt(await shown.getAttribute('data-balance'));
}

/** Fills the send form and asks for the review. */
async function review(amount) {
  await card().getByLabel('To').fill(RECIPIENT);
  await card().getByLabel('Amount').fill(amount);
  await card().getByRole('button', { name: 'Review' }).click();
}

async function sentText() {
  const sent = card().locator('[data-sent]');
  await sent.waitFor({ timeout: 60_000 });
  return sent.textContent();
}

test('the wallet shows the three addresses with QR codes, and the balance on the local chain', async () => {
  await wallet.locator('[data-address=evm]').waitFor({ timeout: 60_000 });
  address = await wallet.locator('[data-address=evm]').textContent();
  assert.equal(getAddress(address), address);
  for (const kind of ['evm', 'bitcoin', 'solana']) {
    await wallet.locator(`[data-address=${kind}]`).waitFor();
    assert.equal(await wallet.locator(`svg[data-qr=${kind}] path`).count(), 1, `a QR code of the ${kind} address`);
  }
  assert.equal(await balanceShown(), 0n);
  await card().getByRole('button', { name: 'Add 10 test ETH' }).click();
  await wallet.locator('[data-balance="10000000000000000000"]').waitFor({ timeout: 30_000 });
  assert.equal(await chain.getBalance(address), parseEther('10'));
  await env.browser.screenshot(wallet, 'wallet-evm-funded');
});

test('a send below the step-up amount is reviewed by Sigil, approved and mined', async () => {
  await review('0.05');
  const shown = card().locator('[data-review=transaction]');
  await shown.waitFor({ timeout: 60_000 });
  assert.equal(await shown.locator('[data-review-title]').textContent(), 'Send 0.05 ETH');
  assert.match(await shown.textContent(), new RegExp(RECIPIENT));
  assert.equal(await shown.locator('[data-step-up]').count(), 0, 'no passkey asked below 0.1 ETH');
  assert.equal(await shown.locator('[data-policy-allows]').textContent(), 'Your policy allows this.');
  await env.browser.screenshot(wallet, 'wallet-evm-review');
  await shown.getByRole('button', { name: 'Approve and send' }).click();
  assert.match(await sentText(), /Send 0\.05 ETH: done, in block \d+/);
  assert.equal(await chain.getBalance(RECIPIENT), parseEther('0.05'));
  const balance = await chain.getBalance(address);
  assert.ok(balance < parseEther('9.95'), 'the fee was paid too');
  await wallet.locator(`[data-balance="${balance}"]`).waitFor({ timeout: 30_000 });
});

test('a send above the step-up amount is confirmed with the passkey first', async () => {
  await review('0.5');
  const shown = card().locator('[data-review=transaction]');
  await shown.waitFor({ timeout: 60_000 });
  await shown.locator('[data-step-up]').waitFor();
  await shown.getByRole('button', { name: 'Approve and send' }).click();
  assert.match(await sentText(), /Send 0\.5 ETH: done/);
  assert.equal(await chain.getBalance(RECIPIENT), parseEther('0.55'));
});

test('a send over the limit is refused in words, and nothing is sent', async () => {
  const before = await chain.getTransactionCount(address);
  await review('1.5');
  const refused = card().locator('[data-send-failed]');
  await refused.waitFor({ timeout: 60_000 });
  assert.match(
    await refused.textContent(),
    /Not signed: this sends 1\.5 ETH, more than the 1 ETH your policy allows in one transaction/,
  );
  assert.equal(await card().locator('[data-review=transaction]').count(), 0, 'no approval offered');
  assert.equal(await chain.getTransactionCount(address), before);
  await env.browser.screenshot(wallet, 'wallet-evm-refused');
});

test('the wallet shows the policy in force and what the keys signed', async () => {
  const policy = wallet.locator('[data-section=policy] [data-policy-chain="31337"]');
  await policy.waitFor({ timeout: 30_000 });
  assert.match(await policy.textContent(), /At most 1 ETH a transaction and 2 ETH in any 24 hours; a passkey confirms above 0\.1 ETH/);
  const signatures = wallet.locator('[data-section=activity] [data-signature]');
  await wallet.waitForFunction(() => document.querySelectorAll('[data-section=activity] [data-signature]').length === 2);
  assert.match(await signatures.first().textContent(), /Send 0\.5 ETH/, 'newest first');
});

test('a tighter policy applies at once; a looser one waits, and the passkey cancels it', async () => {
  const section = wallet.locator('[data-section=policy]');
  await section.getByText('Change your policy').click();
  const limit = section.getByLabel('At most per transaction');
  const notice = section.locator('.done, .notice').last();
  await limit.fill('0.2');
  await section.getByRole('button', { name: 'Save policy' }).click();
  await section.getByText('Saved: your new policy is in force.').waitFor({ timeout: 30_000 });
  await section.getByText(/At most 0\.2 ETH a transaction/).first().waitFor();
  assert.equal(await section.locator('[data-policy-pending]').count(), 0);

  await section.getByLabel('At most per transaction').fill('5');
  await section.getByRole('button', { name: 'Save policy' }).click();
  const pending = section.locator('[data-policy-pending]');
  await pending.waitFor({ timeout: 30_000 });
  assert.match(await notice.textContent(), /What loosens your policy applies from .* unless one of your passkeys cancels it/);
  assert.match(await pending.textContent(), /At most 5 ETH a transaction/);
  assert.match(await section.locator('[data-policy-current]').textContent(), /At most 0\.2 ETH a transaction/);
  await env.browser.screenshot(wallet, 'wallet-evm-policy-pending');
  await pending.getByRole('button', { name: 'Cancel this change' }).click();
  await section.getByText('Cancelled: the waiting change will not apply.').waitFor({ timeout: 30_000 });
  await pending.waitFor({ state: 'detached', timeout: 30_000 });

  await review('0.3');
  const refused = card().locator('[data-send-failed]');
  await refused.waitFor({ timeout: 60_000 });
  assert.match(await refused.textContent(), /more than the 0\.2 ETH your policy allows in one transaction/);
});

test('the wallet with its chain fits 360 px, and every control is reachable by Tab', async () => {
  await wallet.setViewportSize({ width: 360, height: 740 });
  await assertNoSidewaysScroll(wallet);
  await env.browser.screenshot(wallet, 'wallet-evm-360px');
  await assertEveryControlTabbable(wallet);
  await wallet.setViewportSize({ width: 1280, height: 800 });
});
