// @ts-check
/**
 * Sigil's EIP-1193 provider for EVM dapps, announced by EIP-6963.
 *
 * A dapp imports this module from the Sigil it uses (or adds it with one
 * `<script type="module">`); the module announces Sigil on
 * `eip6963:announceProvider`, again on every `eip6963:requestProvider`,
 * and exports the same provider as `provider`.
 *
 * - Reads (`eth_call`, `eth_getBalance`, …) go from this page to the node
 *   of the chain the provider is on, named in Sigil's `/sigil.json`.
 * - `eth_chainId`, `eth_accounts` and the permissions answer from the
 *   provider's state, kept in this origin's localStorage.
 * - Accounts, signatures and chain changes open Sigil's window at `/#evm`
 *   (a popup; a frame inside the element given to `useFrame`) and speak
 *   JSON-RPC 2.0 to it over postMessage (ICRC-29: `icrc29_status` until
 *   Sigil answers `ready`; then only that window at Sigil's origin is
 *   heard). Sigil shows the person what was asked, by this page's origin as
 *   the browser names it, and answers.
 *
 * Errors are EIP-1193's: 4001 rejected (also when the window is closed),
 * 4100 not connected, 4200 unsupported, 4900 Sigil unreachable, 4902
 * unknown chain, -32602 invalid params.
 */

const SIGIL_ORIGIN = new URL(import.meta.url).origin;
const STORE_KEY = `sigil-evm:${SIGIL_ORIGIN}`;
/** The largest request this provider sends on, in bytes of JSON. */
const MAX_REQUEST_BYTES = 192 * 1024;
const STATUS_INTERVAL_MS = 300;
/** How long Sigil's window may take to load and answer `ready`. */
const OPEN_TIMEOUT_MS = 60_000;
/** How long an open window may stay silent before it counts as gone. */
const SILENCE_TIMEOUT_MS = 10_000;
const READ_TIMEOUT_MS = 30_000;

/** Answered by the chain's node, from this page. */
const READ_METHODS = new Set([
  'eth_blockNumber', 'eth_call', 'eth_estimateGas', 'eth_feeHistory', 'eth_gasPrice',
  'eth_getBalance', 'eth_getBlockByHash', 'eth_getBlockByNumber', 'eth_getCode', 'eth_getLogs',
  'eth_getStorageAt', 'eth_getTransactionByHash', 'eth_getTransactionCount',
  'eth_getTransactionReceipt', 'eth_maxPriorityFeePerGas', 'eth_sendRawTransaction', 'eth_syncing',
  'web3_clientVersion',
]);
/** Answered by Sigil's window, for the signed-in person. */
const SIGNING_METHODS = new Set([
  'personal_sign', 'eth_signTypedData_v4', 'eth_signTypedData', 'eth_signTransaction', 'eth_sendTransaction',
]);

/**
 * @typedef {{ chain_id: number, name: string, symbol: string, rpc_url: string }} Chain
 * @typedef {{ chainId?: number, accounts?: string[], grantedAt?: number, added?: Chain[] }} State
 * @typedef {{ method: string, params?: unknown[] | object }} RequestArguments
 * @typedef {{ target: Window | null, closed: () => boolean, close: () => void, alive: number }} Session
 */

export class ProviderRpcError extends Error {
  /** @param {number} code @param {string} message @param {unknown} [data] */
  constructor(code, message, data) {
    super(message);
    this.name = 'ProviderRpcError';
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

/** @param {number} id */
const chainHex = (id) => `0x${id.toString(16)}`;

/** @returns {State} */
function loadState() {
  try {
    const state = JSON.parse(localStorage.getItem(STORE_KEY) ?? '{}');
    return state && typeof state === 'object' ? state : {};
  } catch {
    return {};
  }
}

/** @param {State} state */
function saveState(state) {
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify(state));
  } catch {
    // Private browsing without storage: the state lasts as long as the page.
  }
}

let state = loadState();

/** @type {Promise<Chain[]> | null} */
let chainsLoading = null;
/** Sigil's chains, from its configuration (loaded once). */
function chains() {
  chainsLoading ??= fetch(`${SIGIL_ORIGIN}/sigil.json`, { credentials: 'omit' })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
    .then((config) => {
      const list = Array.isArray(config?.evm_chains) ? config.evm_chains : [];
      if (list.length === 0) throw new Error('this Sigil names no EVM chain');
      return list;
    })
    .catch((error) => {
      chainsLoading = null;
      throw new ProviderRpcError(4900, `Sigil cannot be reached: ${error.message}`);
    });
  return chainsLoading;
}

/** Sigil's chains, then those the person added for this dapp. */
async function knownChains() {
  const list = await chains();
  const added = (Array.isArray(state.added) ? state.added : []).filter(
    (chain) => !list.some((known) => known.chain_id === chain.chain_id),
  );
  return [...list, ...added];
}

async function currentChain() {
  const list = await knownChains();
  return list.find((chain) => chain.chain_id === state.chainId) ?? list[0];
}

// Events (EIP-1193: `on` and `removeListener`, as Node's EventEmitter).
/** @type {Map<string, Set<(...args: any[]) => void>>} */
const listeners = new Map();
/** @param {string} event @param {unknown} value */
function emit(event, value) {
  for (const listener of [...(listeners.get(event) ?? [])]) {
    try {
      listener(value);
    } catch (error) {
      console.error(`a ${event} listener failed`, error);
    }
  }
}

function accounts() {
  return Array.isArray(state.accounts) ? [...state.accounts] : [];
}

/** @param {string[]} next @param {number} [grantedAt] */
function setAccounts(next, grantedAt) {
  const changed = JSON.stringify(next) !== JSON.stringify(accounts());
  state = { ...state, accounts: next, grantedAt: next.length ? grantedAt ?? Date.now() : undefined };
  saveState(state);
  if (changed) emit('accountsChanged', next);
}

function permissions() {
  const list = accounts();
  if (list.length === 0) return [];
  return [{
    invoker: location.origin,
    parentCapability: 'eth_accounts',
    caveats: [{ type: 'restrictReturnedAccounts', value: list }],
    date: state.grantedAt ?? 0,
  }];
}

/** @param {string} method @param {unknown} params */
async function read(method, params) {
  return readAt(await currentChain(), method, params);
}

/** @param {Chain} chain @param {string} method @param {unknown} params */
async function readAt(chain, method, params) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), READ_TIMEOUT_MS);
  let reply;
  try {
    const response = await fetch(chain.rpc_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      credentials: 'omit',
      signal: controller.signal,
    });
    reply = await response.json();
  } catch (error) {
    throw new ProviderRpcError(4901, `${chain.name} did not answer: ${/** @type {Error} */ (error).message}`);
  } finally {
    clearTimeout(timer);
  }
  if (reply?.error) throw new ProviderRpcError(reply.error.code ?? -32603, reply.error.message ?? 'error', reply.error.data);
  return reply?.result;
}

// Sigil's window. One exchange at a time; a window stays open while more
// requests wait, so that they need no second popup.
let queue = Promise.resolve();
let waiting = 0;
/** @type {Session | null} */
let open = null;
let nextId = 1;
/** @type {Element | null} */
let frameHost = null;

/**
 * Opens Sigil in a frame inside `element` from now on (`null`: in a popup,
 * the default). The frame asks for the right to use passkeys.
 * @param {Element | null} element
 */
export function useFrame(element) {
  frameHost = element;
}

/** @param {Element} host @returns {Session} */
function openFrame(host) {
  const frame = document.createElement('iframe');
  frame.src = `${SIGIL_ORIGIN}/#evm`;
  frame.title = 'Sigil';
  frame.name = 'sigil-evm';
  frame.allow = `publickey-credentials-get ${SIGIL_ORIGIN}; publickey-credentials-create ${SIGIL_ORIGIN}`;
  host.append(frame);
  /** @param {MessageEvent} event */
  const onClose = (event) => {
    const data = event.data;
    if (event.source !== frame.contentWindow || event.origin !== SIGIL_ORIGIN) return;
    if (data?.jsonrpc === '2.0' && data.method === 'sigil_close' && data.id === undefined) session.close();
  };
  window.addEventListener('message', onClose);
  /** @type {Session} */
  const session = {
    target: frame.contentWindow,
    closed: () => !frame.isConnected,
    close: () => {
      window.removeEventListener('message', onClose);
      frame.remove();
      if (open === session) open = null;
    },
    alive: 0,
  };
  return session;
}

/** @returns {Session} */
function openPopup() {
  const opened = window.open(`${SIGIL_ORIGIN}/#evm`, 'sigil-evm', 'popup,width=440,height=720');
  if (!opened) throw new ProviderRpcError(4001, 'The browser blocked Sigil’s window: allow pop-ups for this site.');
  /** @type {Session} */
  const session = {
    target: opened,
    closed: () => opened.closed,
    close: () => {
      opened.close();
      if (open === session) open = null;
    },
    alive: 0,
  };
  return session;
}

function openSigil() {
  if (open && !open.closed()) return open;
  open = frameHost ? openFrame(frameHost) : openPopup();
  return open;
}

/** @param {string} method @param {unknown} params */
function exchange(method, params) {
  const session = openSigil();
  const target = session.target;
  const id = `sigil-${nextId++}`;
  return new Promise((resolve, reject) => {
    let established = session.alive > 0;
    const started = Date.now();
    /** @param {MessageEvent} event */
    const onMessage = (event) => {
      if (event.source !== target || event.origin !== SIGIL_ORIGIN) return;
      const data = event.data;
      if (data?.jsonrpc !== '2.0') return;
      if (data.result === 'ready' && typeof data.id === 'string' && data.id.startsWith('status-')) {
        session.alive = Date.now();
        if (!established) {
          established = true;
          target?.postMessage({ jsonrpc: '2.0', id, method, params }, SIGIL_ORIGIN);
        }
        return;
      }
      if (data.id !== id) return;
      finish();
      if (data.error) reject(new ProviderRpcError(Number(data.error.code), String(data.error.message), data.error.data));
      else resolve(data.result);
    };
    const beat = setInterval(() => {
      if (session.closed()) {
        finish();
        reject(new ProviderRpcError(4001, 'The request was rejected: Sigil’s window was closed.'));
        return;
      }
      const now = Date.now();
      if (!established ? now - started > OPEN_TIMEOUT_MS : now - session.alive > SILENCE_TIMEOUT_MS) {
        finish();
        session.close();
        reject(new ProviderRpcError(4900, 'Sigil’s window stopped answering.'));
        return;
      }
      target?.postMessage({ jsonrpc: '2.0', id: `status-${nextId++}`, method: 'icrc29_status' }, '*');
    }, STATUS_INTERVAL_MS);
    const finish = () => {
      clearInterval(beat);
      window.removeEventListener('message', onMessage);
    };
    window.addEventListener('message', onMessage);
    if (established) target?.postMessage({ jsonrpc: '2.0', id, method, params }, SIGIL_ORIGIN);
  });
}

/**
 * Asks Sigil's window. Once nothing more waits, the window is closed when
 * the person decided (an answer, or a rejection); a refusal stays on screen
 * for the person to read why, until they close it there.
 * @param {string} method @param {unknown} params @returns {Promise<any>}
 */
function askSigil(method, params) {
  waiting++;
  const run = async () => {
    let decided = true;
    try {
      return await exchange(method, params);
    } catch (error) {
      decided = error instanceof ProviderRpcError && [4001, 4900].includes(error.code);
      throw error;
    } finally {
      waiting--;
      if (waiting === 0 && open) {
        if (decided) open.close();
        // A popup left open is found again by its name.
        else if (!frameHost) open = null;
      }
    }
  };
  const result = queue.then(run, run);
  queue = result.then(() => {}, () => {});
  return result;
}

/** Forgets the accounts when Sigil says this origin is no longer connected. */
/** @param {string} method @param {unknown} params */
async function askConnected(method, params) {
  try {
    return await askSigil(method, params);
  } catch (error) {
    if (error instanceof ProviderRpcError && error.code === 4100 && /** @type {any} */ (error.data)?.connected === false) {
      setAccounts([]);
    }
    throw error;
  }
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** @param {RequestArguments} args */
async function request(args) {
  if (!isObject(args) || typeof args.method !== 'string') {
    throw new ProviderRpcError(-32602, 'request() takes { method, params }');
  }
  const { method } = args;
  const params = args.params ?? [];
  if (typeof params !== 'object' || params === null) {
    throw new ProviderRpcError(-32602, 'params must be an array or an object');
  }
  let size;
  try {
    size = JSON.stringify(params).length;
  } catch {
    throw new ProviderRpcError(-32602, 'params must be JSON');
  }
  if (size > MAX_REQUEST_BYTES) throw new ProviderRpcError(-32602, `params are larger than ${MAX_REQUEST_BYTES} bytes`);
  const list = Array.isArray(params) ? params : [];

  switch (method) {
    case 'eth_chainId':
      return chainHex((await currentChain()).chain_id);
    case 'net_version':
      return String((await currentChain()).chain_id);
    case 'eth_accounts':
      return accounts();
    case 'wallet_getPermissions':
      return permissions();
    case 'eth_requestAccounts': {
      if (accounts().length) return accounts();
      await currentChain();
      setAccounts(await askSigil(method, params));
      return accounts();
    }
    case 'wallet_requestPermissions': {
      await currentChain();
      const granted = await askSigil(method, params);
      const permission = Array.isArray(granted) ? granted[0] : undefined;
      setAccounts(permission?.caveats?.[0]?.value ?? [], permission?.date);
      return granted;
    }
    case 'wallet_revokePermissions': {
      if (!isObject(list[0]) || Object.keys(list[0]).length === 0) {
        throw new ProviderRpcError(-32602, 'name the permissions to revoke: [{ "eth_accounts": {} }]');
      }
      if (!('eth_accounts' in list[0])) return null;
      const connected = accounts().length > 0;
      setAccounts([]);
      // Sigil ends the connection too (no question asked: the dapp gives up
      // its own access). A blocked window leaves it to expire, or to the
      // person's wallet.
      if (connected) await askSigil(method, [{ eth_accounts: {} }]).catch(() => {});
      return null;
    }
    case 'wallet_switchEthereumChain': {
      const wanted = isObject(list[0]) ? list[0].chainId : undefined;
      if (typeof wanted !== 'string' || !/^0x[1-9a-f][0-9a-f]*$/.test(wanted)) {
        throw new ProviderRpcError(-32602, 'chainId must be 0x and lowercase hexadecimal digits, without leading zeros');
      }
      const current = await currentChain();
      if (chainHex(current.chain_id) === wanted) return null;
      const chain = (await knownChains()).find((c) => chainHex(c.chain_id) === wanted);
      if (!chain) throw new ProviderRpcError(4902, `Sigil does not know chain ${wanted}.`);
      await askSigil(method, params);
      state = { ...state, chainId: chain.chain_id };
      saveState(state);
      emit('chainChanged', wanted);
      return null;
    }
    case 'wallet_addEthereumChain': {
      const proposal = isObject(list[0]) ? list[0] : undefined;
      const wanted = proposal?.chainId;
      if (typeof wanted !== 'string' || !/^0x[1-9a-f][0-9a-f]*$/.test(wanted)) {
        throw new ProviderRpcError(-32602, 'chainId must be 0x and lowercase hexadecimal digits, without leading zeros');
      }
      if ((await knownChains()).some((c) => chainHex(c.chain_id) === wanted)) return null;
      const rpcUrl = Array.isArray(proposal?.rpcUrls) ? proposal.rpcUrls[0] : undefined;
      if (typeof rpcUrl !== 'string') throw new ProviderRpcError(-32602, 'rpcUrls must name the chain’s node');
      const chain = {
        chain_id: parseInt(wanted, 16),
        name: String(proposal?.chainName ?? wanted),
        symbol: String(/** @type {any} */ (proposal)?.nativeCurrency?.symbol ?? ''),
        rpc_url: rpcUrl,
      };
      // EIP-3085: the node must serve the chain it is proposed for.
      const served = await readAt(chain, 'eth_chainId', []).catch(() => undefined);
      if (typeof served !== 'string' || BigInt(served) !== BigInt(wanted)) {
        throw new ProviderRpcError(-32602, `The node at ${rpcUrl} does not serve chain ${wanted}.`);
      }
      await askSigil(method, params);
      state = { ...state, added: [...(state.added ?? []), chain] };
      saveState(state);
      return null;
    }
    case 'eth_sign':
      throw new ProviderRpcError(4200, 'Sigil does not sign bare hashes (eth_sign): use personal_sign or eth_signTypedData_v4.');
    default:
      break;
  }
  if (SIGNING_METHODS.has(method)) {
    if (accounts().length === 0) throw new ProviderRpcError(4100, 'Connect to Sigil first (eth_requestAccounts).');
    let sent = params;
    if (method === 'eth_sendTransaction' || method === 'eth_signTransaction') {
      if (!isObject(list[0])) throw new ProviderRpcError(-32602, 'the transaction must be an object');
      const chainId = chainHex((await currentChain()).chain_id);
      if (list[0].chainId !== undefined && list[0].chainId !== chainId) {
        throw new ProviderRpcError(4901, `The transaction is for chain ${list[0].chainId}, but the provider is on ${chainId}.`);
      }
      sent = [{ ...list[0], chainId }];
    }
    return askConnected(method, sent);
  }
  if (READ_METHODS.has(method)) return read(method, params);
  throw new ProviderRpcError(4200, `Sigil does not support ${method.slice(0, 64)}.`);
}

/** The EIP-1193 provider. */
export const provider = Object.freeze({
  isSigil: true,
  request,
  /** @param {string} event @param {(...args: any[]) => void} listener */
  on(event, listener) {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event)?.add(listener);
    return provider;
  },
  /** @param {string} event @param {(...args: any[]) => void} listener */
  removeListener(event, listener) {
    listeners.get(event)?.delete(listener);
    return provider;
  },
});

const ICON =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96"><rect width="96" height="96" rx="22" fill="#1f3a5f"/>' +
      '<path d="M62 30c-4-4-9-6-15-6-9 0-16 5-16 13 0 17 32 10 32 25 0 6-6 10-15 10-7 0-13-3-17-8" fill="none" stroke="#fff" stroke-width="8" stroke-linecap="round"/></svg>',
  );

/** EIP-6963's provider info: a new uuid per page load. */
export const info = Object.freeze({
  uuid: crypto.randomUUID(),
  name: 'Sigil',
  icon: ICON,
  rdns: new URL(SIGIL_ORIGIN).hostname.split('.').reverse().join('.'),
});

const detail = Object.freeze({ info, provider });
const announce = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }));
window.addEventListener('eip6963:requestProvider', announce);
announce();

// EIP-1193's `connect`, once the chain is known.
currentChain().then(
  (chain) => emit('connect', { chainId: chainHex(chain.chain_id) }),
  () => {},
);
