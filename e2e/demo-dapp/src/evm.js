// The demo EVM dapp: imports the EIP-1193 provider module of the Sigil
// named in /dapp.json, finds it by EIP-6963 through ethers v6's
// `BrowserProvider.discover` (nothing else here knows Sigil), and then
// connects, shows the address and balance, signs a message and an
// EIP-2612 Permit (each checked with ethers), sends ETH and deploys a
// contract, with Sigil in a popup or in a frame. `window.evmDemo` exposes the same actions and their outcomes to
// the browser tests.
import { BrowserProvider, formatEther, parseEther, verifyMessage, verifyTypedData } from 'ethers';

const $ = (id) => document.getElementById(id);

const state = { provider: null, signer: null, info: null, lastResult: null, errors: [], connectEvents: [] };

// Every announced provider, and the EIP-1193 `connect` events of the first.
window.addEventListener('eip6963:announceProvider', (event) => {
  if (!state.rawProvider) event.detail.provider.on('connect', (info) => state.connectEvents.push(info));
  state.rawProvider = event.detail.provider;
  state.announced = (state.announced ?? 0) + 1;
  state.rawInfo = event.detail.info;
});

const config = await (await fetch('/dapp.json')).json();
// The only line that knows Sigil: its provider module, which announces
// itself; `useFrame` is for the dapps that want Sigil in a frame.
const sigil = await import(config.evmProvider);

/** A contract whose code answers every call with 42 (32 bytes). */
const ANSWER_CONTRACT = '0x69602a60005260206000f3600052600a6016f3';

const PERMIT_TYPES = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
};

function show(id, text) {
  $(id).textContent = text;
}

/** Runs `action`, keeping its outcome ({ ok, value } or { ok: false, code, message }) for the tests. */
async function run(name, action) {
  state.lastResult = null;
  show('result', `${name}…`);
  try {
    const value = await action();
    state.lastResult = { name, ok: true, value };
    show('result', `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  } catch (error) {
    const code = error?.error?.code ?? error?.info?.error?.code ?? error?.code;
    const message = error?.error?.message ?? error?.info?.error?.message ?? error?.shortMessage ?? String(error);
    state.lastResult = { name, ok: false, code, ethersCode: error?.code, message };
    state.errors.push(state.lastResult);
    show('result', `${name} failed: ${message}`);
  }
  return state.lastResult;
}

async function discover() {
  state.provider = await BrowserProvider.discover({ timeout: 1000 });
  if (!state.provider) throw new Error('no wallet announced itself');
  state.info = state.provider.providerInfo;
  show('wallet', `Wallet: ${state.info?.name} (${state.info?.rdns})`);
  return state.info;
}

async function refreshBalance() {
  const address = await state.signer.getAddress();
  show('account', `Account: ${address}`);
  const balance = await state.provider.getBalance(address);
  show('balance', `Balance: ${formatEther(balance)} ETH`);
  return balance.toString();
}

const actions = {
  connect: () =>
    run('connect', async () => {
      state.signer = await state.provider.getSigner();
      await refreshBalance();
      return state.signer.address;
    }),
  signMessage: (message = $('message').value) =>
    run('signMessage', async () => {
      const signature = await state.signer.signMessage(message);
      return { signature, recovered: verifyMessage(message, signature) };
    }),
  signPermit: () =>
    run('signPermit', async () => {
      const { chainId } = await state.provider.getNetwork();
      const domain = {
        name: 'Demo Token',
        version: '1',
        chainId,
        verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC',
      };
      const value = {
        owner: state.signer.address,
        spender: '0x3535353535353535353535353535353535353535',
        value: parseEther('5'),
        nonce: 0n,
        deadline: 4_102_444_800n,
      };
      const signature = await state.signer.signTypedData(domain, PERMIT_TYPES, value);
      return { signature, recovered: verifyTypedData(domain, PERMIT_TYPES, value, signature) };
    }),
  send: (to = $('to').value, amount = $('amount').value) =>
    run('send', async () => {
      const sent = await state.signer.sendTransaction({ to, value: parseEther(amount) });
      const receipt = await sent.wait();
      await refreshBalance();
      return { hash: sent.hash, status: receipt.status };
    }),
  deploy: () =>
    run('deploy', async () => {
      const sent = await state.signer.sendTransaction({ data: ANSWER_CONTRACT });
      const receipt = await sent.wait();
      const answer = await state.provider.call({ to: receipt.contractAddress });
      return { hash: sent.hash, status: receipt.status, contract: receipt.contractAddress, answer };
    }),
  /** Opens Sigil in the page's frame holder (`true`) or in a popup. */
  useFrame: (inFrame) => {
    $('in-frame').checked = inFrame;
    sigil.useFrame(inFrame ? $('sigil-frame') : null);
  },
  /** The provider itself, for the protocol tests. */
  request: (args) => run('request', () => state.provider.send(args.method, args.params ?? [])),
  raw: (args) => run('raw', () => state.rawProvider.request(args)),
};

$('connect').addEventListener('click', actions.connect);
$('in-frame').addEventListener('change', (event) => actions.useFrame(event.target.checked));
$('sign-message').addEventListener('click', () => actions.signMessage());
$('sign-permit').addEventListener('click', actions.signPermit);
$('send').addEventListener('click', () => actions.send());
$('deploy').addEventListener('click', actions.deploy);

window.evmDemo = { state, ...actions };
await discover();
document.body.dataset.ready = 'true';
