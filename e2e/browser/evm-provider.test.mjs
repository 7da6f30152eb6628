// The EIP-1193 provider, end to end: the demo EVM dapp (ethers v6 over the
// provider it discovers by EIP-6963) on a dapp origin, Sigil's window for
// every approval, the identity manager and the signer on localnet, and a
// Hardhat node (chain 31337). Signatures are checked by ethers and
// transactions mined; rejecting or closing the window gives 4001; what
// Sigil does not do gives 4200 or 4902; a disconnected or other origin gets
// 4100; over-policy requests are refused in words; messages from other
// windows are ignored by both sides.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { JsonRpcProvider, getAddress, parseEther } from 'ethers';

import { passkeysOn, givePasskey } from './dapp.mjs';
import { closeRefusal, fundedAccount, lastResult, openEvmDapp, popupFor, rawRequest, screenIn } from './evm-dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { assertEveryControlTabbable, assertNoSidewaysScroll } from './layout.mjs';

const RECIPIENT = '0x3535353535353535353535353535353535353535';

let env;
let chain;
let wallet;
let address;
let dapp;

before(async () => {
  env = await startEnvironment({ evm: true });
  chain = new JsonRpcProvider(env.node.url, 31337, { staticNetwork: true });
  ({ wallet, address } = await fundedAccount(env, chain));
  dapp = await openEvmDapp(env);
});

after(async () => {
  chain?.destroy();
  await env?.stop();
});

/**
 * Approves what Sigil's window shows as `screen`, with a screenshot named
 * `name`; resolves to the screen's text (the window closes once answered).
 */
async function approve(popup, screen, name) {
  const section = await screenIn(popup, screen);
  await env.browser.screenshot(popup, name);
  const text = await section.textContent();
  await section.locator('[data-action=approve]').click();
  return text;
}

test('the dapp discovers Sigil by EIP-6963 and sees no account before connecting', async () => {
  const info = await dapp.evaluate(() => evmDemo.state.info);
  assert.equal(info.name, 'Sigil');
  assert.equal(info.rdns, 'localhost');
  assert.match(info.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(info.icon, /^data:image\/svg\+xml,/);
  const announced = await dapp.evaluate(() => {
    const before = evmDemo.state.announced;
    window.dispatchEvent(new Event('eip6963:requestProvider'));
    return evmDemo.state.announced - before;
  });
  assert.equal(announced, 1, 'announced again on request');
  assert.deepEqual(await dapp.evaluate(() => evmDemo.state.connectEvents), [{ chainId: '0x7a69' }]);
  assert.deepEqual((await rawRequest(dapp, { method: 'eth_accounts' })).value, []);
  assert.equal((await rawRequest(dapp, { method: 'eth_chainId' })).value, '0x7a69');
  const refused = await rawRequest(dapp, { method: 'personal_sign', params: ['0x01', address] });
  assert.equal(refused.code, 4100, 'a signature before connecting');
});

test('connecting asks the person, names the dapp by its origin, and gives the address', async () => {
  const popup = await popupFor(env, dapp, 'evmDemo.connect()');
  const section = await screenIn(popup, 'evm-connect');
  assert.equal(await section.locator('[data-origin]').getAttribute('data-origin'), env.sites.dappUrl);
  assert.equal(await section.locator('[data-address]').getAttribute('data-address'), address);
  await assertNoSidewaysScroll(popup);
  await assertEveryControlTabbable(popup);
  await approve(popup, 'evm-connect', 'evm-connect');
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value, getAddress(address));
  await dapp.locator('#balance', { hasText: 'Balance: 10.0 ETH' }).waitFor();
  assert.deepEqual((await rawRequest(dapp, { method: 'eth_accounts' })).value, [address]);
  const [permission] = (await rawRequest(dapp, { method: 'wallet_getPermissions' })).value;
  assert.equal(permission.parentCapability, 'eth_accounts');
  assert.deepEqual(permission.caveats[0].value, [address]);
});

test('a message is reviewed in Sigil, signed, and verified by ethers', async () => {
  const popup = await popupFor(env, dapp, 'evmDemo.signMessage("Hello from the demo EVM dapp")');
  const text = await approve(popup, 'evm-review', 'evm-review-message');
  assert.match(text, /Hello from the demo EVM dapp/);
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value.recovered, getAddress(address));
});

test('a Permit (EIP-712) is reviewed field by field, signed, and verified by ethers', async () => {
  const popup = await popupFor(env, dapp, 'evmDemo.signPermit()');
  const text = await approve(popup, 'evm-review', 'evm-review-permit');
  assert.match(text, /Demo Token/);
  assert.match(text, new RegExp(RECIPIENT, 'i'));
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value.recovered, getAddress(address));
});

test('ETH sent through ethers is signed in Sigil, submitted and mined', async () => {
  const popup = await popupFor(env, dapp, `evmDemo.send("${RECIPIENT}", "0.01")`);
  const section = await screenIn(popup, 'evm-review');
  assert.equal(await section.getAttribute('data-review'), 'transaction');
  assert.equal(await section.locator('[data-review-title]').textContent(), 'Send 0.01 ETH');
  await section.getByText('Fees', { exact: true }).click();
  assert.ok(Number(await section.getByLabel('Maximum fee per gas (gwei)').inputValue()) > 0);
  await approve(popup, 'evm-review', 'evm-review-transaction');
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value.status, 1);
  assert.equal(await chain.getBalance(RECIPIENT), parseEther('0.01'));
});

test('a contract deployed through ethers is reviewed as a creation and mined', async () => {
  const popup = await popupFor(env, dapp, 'evmDemo.deploy()');
  const text = await approve(popup, 'evm-review', 'evm-review-deploy');
  assert.match(text, /contract/i);
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value.status, 1);
  assert.equal(BigInt(result.value.answer), 42n);
});

test('rejecting, or closing the window, gives the dapp 4001', async () => {
  let popup = await popupFor(env, dapp, 'evmDemo.signMessage("no")');
  await (await screenIn(popup, 'evm-review')).locator('[data-action=reject]').click();
  let result = await lastResult(dapp);
  assert.equal(result.code, 4001);
  assert.equal(result.ethersCode, 'ACTION_REJECTED');
  await screenIn(popup, 'evm-rejected').catch(() => {});

  popup = await popupFor(env, dapp, 'evmDemo.signMessage("closed")');
  await screenIn(popup, 'evm-review');
  await popup.close();
  result = await lastResult(dapp);
  assert.equal(result.code, 4001);
});

test('Sigil says what it does not do: 4200 for unsupported methods, 4902 for unknown chains', async () => {
  for (const method of ['eth_sign', 'eth_coinbase', 'wallet_watchAsset']) {
    const result = await rawRequest(dapp, { method, params: [address, '0x00'] });
    assert.equal(result.code, 4200, method);
  }
  const unknown = await rawRequest(dapp, { method: 'wallet_switchEthereumChain', params: [{ chainId: '0x5' }] });
  assert.equal(unknown.code, 4902);
  const padded = await rawRequest(dapp, { method: 'wallet_switchEthereumChain', params: [{ chainId: '0x07a69' }] });
  assert.equal(padded.code, -32602);
  const same = await rawRequest(dapp, { method: 'wallet_switchEthereumChain', params: [{ chainId: '0x7a69' }] });
  assert.equal(same.ok, true);
  assert.equal(same.value, null);
  const malformed = await rawRequest(dapp, { method: 'eth_sendTransaction', params: ['not a transaction'] });
  assert.equal(malformed.code, -32602);
});

test('a send over the policy is refused in Sigil with its reason, and nothing is sent', async () => {
  const before = await chain.getTransactionCount(address);
  const popup = await popupFor(env, dapp, `evmDemo.send("${RECIPIENT}", "1.5")`);
  const section = await screenIn(popup, 'evm-refused');
  assert.match(await section.textContent(), /more than the 1 ETH your policy allows in one transaction/);
  await env.browser.screenshot(popup, 'evm-refused-policy');
  const result = await lastResult(dapp);
  assert.equal(result.ok, false);
  assert.equal(result.code, 4100);
  assert.match(result.message, /more than the 1 ETH/);
  assert.equal(await chain.getTransactionCount(address), before);
  await closeRefusal(popup);
});

test('a send above the step-up amount is confirmed with a passkey in Sigil’s window', async () => {
  const popup = await popupFor(env, dapp, `evmDemo.send("${RECIPIENT}", "0.5")`);
  const section = await screenIn(popup, 'evm-review');
  await section.locator('[data-step-up]').waitFor();
  for (const passkey of await passkeysOn(env, wallet)) await givePasskey(env, popup, passkey);
  await approve(popup, 'evm-review', 'evm-review-step-up');
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value.status, 1);
});

test('messages from a foreign window are ignored by Sigil’s window and by the provider', async () => {
  const popup = await popupFor(env, dapp, 'evmDemo.signMessage("foreign")');
  await screenIn(popup, 'evm-review');
  // A frame inside the dapp (same origin, another window) asks Sigil's
  // window things; the dapp page gets forged answers from itself and from a
  // frame of another origin.
  const { blank, heard } = await dapp.evaluate(async (address) => {
    const frame = document.createElement('iframe');
    frame.src = '/evm-foreign.html';
    document.body.append(frame);
    await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    const sigil = window.open('', 'sigil-evm');
    let blank = false;
    try {
      blank = sigil.location.href === 'about:blank';
    } catch {
      // Sigil's window: another origin, unreadable.
    }
    for (let id = 1; id < 40; id++) {
      window.postMessage({ jsonrpc: '2.0', id: `sigil-${id}`, result: '0xforged' }, '*');
    }
    const heard = await frame.contentWindow.attack(sigil, address);
    frame.remove();
    return { blank, heard };
  }, address);
  // A frame of another origin forges answers to the provider.
  await dapp.evaluate(async (otherOrigin) => {
    const frame = document.createElement('iframe');
    frame.src = `${otherOrigin}/evm-foreign.html`;
    document.body.append(frame);
    await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    frame.contentWindow.postMessage({ forge: true }, '*');
    await new Promise((resolve) => setTimeout(resolve, 500));
    frame.remove();
  }, env.sites.secondDappUrl);
  assert.equal(blank, false, 'the frame reached Sigil’s window');
  assert.equal(heard, 0, 'Sigil answered nothing outside the channel');
  assert.equal(await dapp.evaluate(() => evmDemo.state.lastResult), null, 'the forged answers were ignored');
  const section = await screenIn(popup, 'evm-review');
  assert.match(await section.textContent(), /foreign/, 'still the dapp’s own request');
  await section.locator('[data-action=reject]').click();
  assert.equal((await lastResult(dapp)).code, 4001);
});

test('a second dapp origin needs its own connection, even with the provider’s state forged', async () => {
  const other = await openEvmDapp(env, env.sites.secondDappUrl);
  assert.deepEqual((await rawRequest(other, { method: 'eth_accounts' })).value, []);
  await other.evaluate(
    ({ key, address }) => localStorage.setItem(key, JSON.stringify({ accounts: [address] })),
    { key: `sigil-evm:${env.sites.sigilUrl}`, address },
  );
  await other.reload();
  await other.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  assert.deepEqual((await rawRequest(other, { method: 'eth_accounts' })).value, [address], 'forged');
  const popup = await popupFor(env, other, `evmDemo.raw({ method: 'personal_sign', params: ['0x01', '${address}'] })`);
  const result = await lastResult(other);
  assert.equal(result.code, 4100);
  const refused = await screenIn(popup, 'evm-refused');
  assert.match(await refused.textContent(), /is not connected to Sigil/);
  await closeRefusal(popup);
  assert.deepEqual((await rawRequest(other, { method: 'eth_accounts' })).value, [], 'Sigil’s answer undid the forgery');
  await other.close();
});

test('an origin disconnected in the wallet gets 4100 until it connects again', async () => {
  await wallet.reload();
  const row = wallet.locator(`[data-section=connections] [data-connection="${env.sites.dappUrl}"]`);
  await row.waitFor({ timeout: 60_000 });
  await env.browser.screenshot(wallet, 'wallet-connections');
  await row.getByRole('button', { name: 'Disconnect' }).click();
  await wallet.getByText(`${env.sites.dappUrl} is disconnected.`).waitFor();

  const popup = await popupFor(env, dapp, 'evmDemo.signMessage("after revoking")');
  const result = await lastResult(dapp);
  assert.equal(result.code, 4100);
  await closeRefusal(popup);
  assert.deepEqual((await rawRequest(dapp, { method: 'eth_accounts' })).value, [], 'the provider forgot the account');

  const again = await popupFor(env, dapp, 'evmDemo.connect()');
  await approve(again, 'evm-connect', 'evm-connect-again');
  assert.equal((await lastResult(dapp)).ok, true);
});
