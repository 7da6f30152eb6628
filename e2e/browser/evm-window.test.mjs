// Sigil's window for EVM dapps beyond the basic methods: permissions and
// their events, signing a transaction without sending it, fees the person
// changes, the keyboard and 360 px, a chain the dapp adds (a second Hardhat
// node) and switching to it and back, Sigil in a frame instead of a popup
// (passkey included), and junk posted straight to the window by the page
// that opened it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { JsonRpcProvider, Transaction, getAddress, parseUnits } from 'ethers';

import { givePasskey, passkeysOn } from './dapp.mjs';
import { closeRefusal, connectDapp, fundedAccount, lastResult, openEvmDapp, popupFor, rawRequest, screenIn } from './evm-dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { assertEveryControlTabbable, assertNoSidewaysScroll } from './layout.mjs';
import { startHardhat } from '../localnet/hardhat.mjs';

const RECIPIENT = '0x3535353535353535353535353535353535353535';
const SECOND_CHAIN = 1338;

let env;
let chain;
let second;
let wallet;
let address;
let dapp;

before(async () => {
  env = await startEnvironment({ evm: true });
  second = await startHardhat({ chainId: SECOND_CHAIN });
  chain = new JsonRpcProvider(env.node.url, 31337, { staticNetwork: true });
  ({ wallet, address } = await fundedAccount(env, chain));
  dapp = await openEvmDapp(env);
  await dapp.evaluate(() => {
    evmDemo.events = [];
    for (const name of ['accountsChanged', 'chainChanged']) {
      evmDemo.state.rawProvider.on(name, (value) => evmDemo.events.push([name, value]));
    }
  });
  assert.equal((await connectDapp(env, dapp)).ok, true);
});

after(async () => {
  chain?.destroy();
  await second?.stop();
  await env?.stop();
});

const events = () => dapp.evaluate(() => evmDemo.events.splice(0));

test('permissions: revoking forgets the account, requesting them asks Sigil again', async () => {
  await events();
  const revoked = await rawRequest(dapp, { method: 'wallet_revokePermissions', params: [{ eth_accounts: {} }] });
  assert.equal(revoked.value, null);
  assert.deepEqual(await events(), [['accountsChanged', []]]);
  assert.deepEqual((await rawRequest(dapp, { method: 'eth_accounts' })).value, []);
  // Sigil ended the connection too: the wallet lists no app.
  await wallet.reload();
  await wallet.locator('[data-section=connections] [data-connections=empty]').waitFor({ timeout: 60_000 });
  const empty = await rawRequest(dapp, { method: 'wallet_revokePermissions', params: [{}] });
  assert.equal(empty.code, -32602);

  const popup = await popupFor(
    env,
    dapp,
    'evmDemo.raw({ method: "wallet_requestPermissions", params: [{ eth_accounts: {} }] })',
  );
  await (await screenIn(popup, 'evm-connect')).locator('[data-action=approve]').click();
  const granted = await lastResult(dapp);
  assert.equal(granted.ok, true, granted.message);
  const [permission] = granted.value;
  assert.equal(permission.parentCapability, 'eth_accounts');
  assert.equal(permission.invoker, env.sites.dappUrl);
  assert.deepEqual(permission.caveats, [{ type: 'restrictReturnedAccounts', value: [address] }]);
  assert.deepEqual(await events(), [['accountsChanged', [address]]]);
  const listed = await rawRequest(dapp, { method: 'wallet_getPermissions' });
  assert.deepEqual(listed.value[0].caveats[0].value, [address]);
});

test('eth_signTransaction signs what Sigil reviewed and sends nothing', async () => {
  const nonce = await chain.getTransactionCount(address);
  const popup = await popupFor(
    env,
    dapp,
    `evmDemo.raw({ method: "eth_signTransaction", params: [{ from: "${address}", to: "${RECIPIENT}", value: "0x2386f26fc10000" }] })`,
  );
  const section = await screenIn(popup, 'evm-review');
  assert.equal(await section.getByRole('button', { name: 'Approve and sign' }).count(), 1);
  await section.locator('[data-action=approve]').click();
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  const signed = Transaction.from(result.value);
  assert.equal(signed.from, getAddress(address));
  assert.equal(signed.to, RECIPIENT);
  assert.equal(signed.value, 10_000_000_000_000_000n);
  assert.equal(signed.chainId, 31337n);
  assert.equal(await chain.getTransactionCount(address), nonce, 'not sent');
});

test('the person changes the fees, Sigil reviews them again, and the transaction pays them', async () => {
  const popup = await popupFor(env, dapp, `evmDemo.send("${RECIPIENT}", "0.001")`);
  let section = await screenIn(popup, 'evm-review');
  await section.getByText('Fees', { exact: true }).click();
  await section.getByLabel('Maximum fee per gas (gwei)').fill('5');
  await section.getByLabel('Priority fee per gas (gwei)').fill('9');
  await section.getByRole('button', { name: 'Use these fees' }).click();
  await section.getByText('The priority fee cannot be above the maximum fee.').waitFor();
  await section.getByLabel('Priority fee per gas (gwei)').fill('2');
  await section.getByRole('button', { name: 'Use these fees' }).click();
  section = await screenIn(popup, 'evm-review');
  await section.getByText(/5 gwei/).first().waitFor({ timeout: 30_000 });
  await section.locator('[data-action=approve]').click();
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  const sent = await chain.getTransaction(result.value.hash);
  assert.equal(sent.maxFeePerGas, parseUnits('5', 'gwei'));
  assert.equal(sent.maxPriorityFeePerGas, parseUnits('2', 'gwei'));
});

test('a double click on Approve sends the transaction once', async () => {
  const before = await chain.getTransactionCount(address);
  const popup = await popupFor(env, dapp, `evmDemo.send("${RECIPIENT}", "0.001")`);
  await (await screenIn(popup, 'evm-review')).locator('[data-action=approve]').dblclick();
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(await chain.getTransactionCount(address), before + 1);
});

test('at 360 px every control of a review is reachable by Tab; Enter approves, Escape rejects', async () => {
  let popup = await popupFor(env, dapp, 'evmDemo.signMessage("keyboard")');
  await popup.setViewportSize({ width: 360, height: 720 });
  await screenIn(popup, 'evm-review');
  await assertNoSidewaysScroll(popup);
  await assertEveryControlTabbable(popup);
  await env.browser.screenshot(popup, 'evm-review-360px');
  await popup.locator('[data-action=approve]').focus();
  await popup.keyboard.press('Enter');
  assert.equal((await lastResult(dapp)).ok, true);

  popup = await popupFor(env, dapp, 'evmDemo.signMessage("escape")');
  await screenIn(popup, 'evm-review');
  await popup.keyboard.press('Escape');
  assert.equal((await lastResult(dapp)).code, 4001);
});

test('a chain the dapp adds is read from its node; Sigil switches to it on approval and signs no transaction there', async () => {
  const wrong = await rawRequest(dapp, {
    method: 'wallet_addEthereumChain',
    params: [{ chainId: '0x53b', chainName: 'Liar', rpcUrls: [second.url], nativeCurrency: { name: 'E', symbol: 'E', decimals: 18 } }],
  });
  assert.equal(wrong.code, -32602, 'the node serves another chain');
  assert.match(wrong.message, /does not serve chain 0x53b/);

  const proposal = { chainId: '0x53a', chainName: 'Second local chain', rpcUrls: [second.url], nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 } };
  let popup = await popupFor(env, dapp, `evmDemo.raw({ method: 'wallet_addEthereumChain', params: [${JSON.stringify(proposal)}] })`);
  const add = await screenIn(popup, 'evm-add-chain');
  assert.match(await add.textContent(), /Second local chain/);
  assert.match(await add.textContent(), /Sigil does not sign on this chain/);
  await env.browser.screenshot(popup, 'evm-add-chain');
  await add.locator('[data-action=approve]').click();
  assert.equal((await lastResult(dapp)).value, null);
  await events();

  popup = await popupFor(env, dapp, `evmDemo.raw({ method: 'wallet_switchEthereumChain', params: [{ chainId: '0x53a' }] })`);
  const toSecond = await screenIn(popup, 'evm-switch-chain');
  await env.browser.screenshot(popup, 'evm-switch-chain');
  await toSecond.locator('[data-action=approve]').click();
  assert.equal((await lastResult(dapp)).value, null);
  assert.deepEqual(await events(), [['chainChanged', '0x53a']]);
  assert.equal((await rawRequest(dapp, { method: 'eth_chainId' })).value, '0x53a');
  assert.equal((await rawRequest(dapp, { method: 'eth_blockNumber' })).ok, true, 'read from the second node');

  popup = await popupFor(env, dapp, `evmDemo.raw({ method: 'eth_sendTransaction', params: [{ from: '${address}', to: '${RECIPIENT}', value: '0x1' }] })`);
  const refused = await lastResult(dapp);
  assert.equal(refused.code, 4100);
  assert.match(refused.message, /Sigil does not sign on chain 1338/);
  await closeRefusal(popup);

  popup = await popupFor(env, dapp, `evmDemo.raw({ method: 'wallet_switchEthereumChain', params: [{ chainId: '0x7a69' }] })`);
  const back = await screenIn(popup, 'evm-switch-chain');
  assert.match(await back.textContent(), /Sigil signs on this chain where your policy allows it/);
  await back.locator('[data-action=approve]').click();
  assert.equal((await lastResult(dapp)).value, null);
  assert.deepEqual(await events(), [['chainChanged', '0x7a69']]);
});

test('Sigil in a frame: connecting, signing with the passkey where the policy asks, and a refusal closed from the frame', async () => {
  await rawRequest(dapp, { method: 'wallet_revokePermissions', params: [{ eth_accounts: {} }] });
  await dapp.evaluate(() => evmDemo.useFrame(true));
  for (const passkey of await passkeysOn(env, wallet)) await givePasskey(env, dapp, passkey);
  await dapp.evaluate(() => void evmDemo.connect());
  const frame = dapp.frameLocator('#sigil-frame iframe');
  // Sigil's frame is same-site with the dapp here (two localhost ports), so
  // it finds the session the wallet kept.
  await frame.locator('[data-screen=evm-connect]').waitFor({ timeout: 60_000 });
  await env.browser.screenshot(dapp, 'evm-frame-connect');
  await frame.locator('[data-action=approve]').click();
  const connected = await lastResult(dapp);
  assert.equal(connected.ok, true, connected.message);
  assert.equal(connected.value, getAddress(address));
  assert.equal(await dapp.locator('#sigil-frame iframe').count(), 0, 'the frame is gone once answered');

  await dapp.evaluate(() => void evmDemo.signMessage('in a frame'));
  await frame.locator('[data-screen=evm-review]').waitFor({ timeout: 60_000 });
  await env.browser.screenshot(dapp, 'evm-frame-review');
  await frame.locator('[data-action=approve]').click();
  const signed = await lastResult(dapp);
  assert.equal(signed.ok, true, signed.message);
  assert.equal(signed.value.recovered, getAddress(address));

  // Above the step-up amount the frame asks the passkey (the frame may:
  // it is allowed publickey-credentials-get).
  await dapp.evaluate((to) => void evmDemo.send(to, '0.2'), RECIPIENT);
  await frame.locator('[data-screen=evm-review] [data-step-up]').waitFor({ timeout: 60_000 });
  await frame.locator('[data-action=approve]').click();
  const sent = await lastResult(dapp);
  assert.equal(sent.ok, true, sent.message);
  assert.equal(sent.value.status, 1);

  await dapp.evaluate((to) => void evmDemo.send(to, '1.5'), RECIPIENT);
  await frame.locator('[data-screen=evm-refused]').waitFor({ timeout: 60_000 });
  assert.equal((await lastResult(dapp)).code, 4100);
  await frame.getByRole('button', { name: 'Close' }).click().catch(() => {});
  await dapp.locator('#sigil-frame iframe').waitFor({ state: 'detached' });
  await dapp.evaluate(() => evmDemo.useFrame(false));
});

test('junk posted straight to Sigil’s window gets an error or nothing, and the window still works', async () => {
  const answers = await dapp.evaluate(async ({ sigilUrl, address }) => {
    const sigil = window.open(`${sigilUrl}/#evm`, 'junk-test');
    const replies = (window.junkReplies = []);
    window.addEventListener('message', (event) => {
      if (event.source === sigil) replies.push(event.data);
    });
    const until = async (check, ms = 30_000) => {
      const end = Date.now() + ms;
      while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 100));
    };
    while (!replies.some((r) => r?.result === 'ready')) {
      sigil.postMessage({ jsonrpc: '2.0', id: 'status', method: 'icrc29_status' }, '*');
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (replies.length === 0 && sigil.closed) return { error: 'closed' };
    }
    const post = (message) => sigil.postMessage(message, sigilUrl);
    const cyclic = { jsonrpc: '2.0', id: 'cyclic', method: 'personal_sign' };
    cyclic.params = [cyclic];
    const junk = [
      { id: 'no-version', method: 'personal_sign', params: ['0x01', address] },
      { jsonrpc: '2.0', method: 'personal_sign', params: ['0x01', address] },
      { jsonrpc: '2.0', id: 'huge', method: 'personal_sign', params: ['0x' + 'ab'.repeat(200_000), address] },
      { jsonrpc: '2.0', id: 'bigint', method: 'personal_sign', params: [10n, address] },
      cyclic,
      'not even an object',
    ];
    for (const message of junk) post(message);
    const errors = [
      { jsonrpc: '2.0', id: 'unsupported', method: 'eth_sign', params: [address, '0x' + '00'.repeat(32)] },
      { jsonrpc: '2.0', id: 'bad-address', method: 'personal_sign', params: ['0x01', 'me'] },
      { jsonrpc: '2.0', id: 'not-hex', method: 'eth_sendTransaction', params: [{ from: address, value: '12' }] },
      { jsonrpc: '2.0', id: 'unknown-field', method: 'eth_sendTransaction', params: [{ from: address, authorizationList: [] }] },
    ];
    for (const message of errors) post(message);
    await until(() => errors.every((e) => replies.some((r) => r?.id === e.id)));
    const byId = Object.fromEntries(replies.filter((r) => r?.id !== 'status').map((r) => [r.id, r.error?.code ?? r.result]));
    post({ jsonrpc: '2.0', id: 'connect', method: 'eth_requestAccounts' });
    return byId;
  }, { sigilUrl: env.sites.sigilUrl, address });
  assert.deepEqual(answers, { unsupported: 4200, 'bad-address': -32602, 'not-hex': -32602, 'unknown-field': -32602 });
  const popup = env.browser.context.pages().find((page) => page.url().endsWith('/#evm') && !page.isClosed());
  const connect = await screenIn(popup, 'evm-connect');
  await connect.locator('[data-action=reject]').click();
  const reply = await dapp.waitForFunction(() => window.junkReplies.find((r) => r?.id === 'connect'));
  assert.equal((await reply.jsonValue()).error.code, 4001);
  await popup.close();
});

test('with nobody signed in on this device, Sigil’s window asks for the passkey first, then the request', async () => {
  await wallet.getByRole('button', { name: 'Sign out' }).click();
  await wallet.locator('[data-screen=wallet-signed-out]').waitFor({ timeout: 30_000 });
  const popup = await popupFor(env, dapp, 'evmDemo.signMessage("after signing in")');
  const signIn = await screenIn(popup, 'evm-sign-in');
  assert.equal(await signIn.locator('[data-origin]').getAttribute('data-origin'), env.sites.dappUrl);
  await env.browser.screenshot(popup, 'evm-sign-in');
  for (const passkey of await passkeysOn(env, wallet)) await givePasskey(env, popup, passkey);
  await signIn.getByRole('button', { name: 'Continue with a passkey' }).click();
  await (await screenIn(popup, 'evm-review')).locator('[data-action=approve]').click();
  const result = await lastResult(dapp);
  assert.equal(result.ok, true, result.message);
  assert.equal(result.value.recovered, getAddress(address));
});

test('a dapp that goes away while Sigil asks leaves Sigil’s window working', async () => {
  const popup = await popupFor(env, dapp, 'evmDemo.signMessage("gone")');
  const review = await screenIn(popup, 'evm-review');
  await dapp.close();
  await review.locator('[data-action=reject]').click();
  await screenIn(popup, 'evm-rejected');
  await popup.close();
});
