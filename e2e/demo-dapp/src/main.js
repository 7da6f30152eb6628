// The demo dapp: signs in with Sigil through @dfinity/auth-client (unchanged
// from npm, popup mode) or, in iframe mode, by speaking the /#authorize
// protocol by hand the way auth-client does in its popup; then calls the
// demo canister's `whoami` as the identity it signed in with last. Its
// settings come from /dapp.json (written by whoever serves it).
// `window.demo` exposes the same actions to the browser tests, plus raw
// access to the Sigil frame for protocol checks.
import { Actor, HttpAgent } from '@dfinity/agent';
import { AuthClient } from '@dfinity/auth-client';
import { Delegation, DelegationChain, DelegationIdentity, ECDSAKeyIdentity } from '@dfinity/identity';

const demoInterface = ({ IDL }) =>
  IDL.Service({
    whoami: IDL.Func([], [IDL.Principal], ['query']),
  });

const $ = (id) => document.getElementById(id);

async function loadConfig() {
  const response = await fetch('/dapp.json');
  if (!response.ok) throw new Error(`/dapp.json: HTTP ${response.status}`);
  return response.json();
}

const config = await loadConfig();
const sigilOrigin = new URL(config.identityProvider).origin;
const authClient = await AuthClient.create({ idleOptions: { disableIdle: true } });

/** What an embedded Sigil may use: passkeys, for Sigil's origin only. */
const SIGIL_FRAME_PERMISSIONS = `publickey-credentials-get ${sigilOrigin}; publickey-credentials-create ${sigilOrigin}`;

/** The next message from Sigil's frame whose kind is one of `kinds`. */
function nextFrameMessage(kinds) {
  return new Promise((resolve) => {
    const listener = (event) => {
      if (event.origin !== sigilOrigin || event.source !== window.frames['sigil']) return;
      if (!kinds.includes(event.data?.kind)) return;
      window.removeEventListener('message', listener);
      resolve(event.data);
    };
    window.addEventListener('message', listener);
  });
}

/** The identity an authorize-client-success message gives the holder of `key`. */
function identityFromSuccess(key, message) {
  const delegations = message.delegations.map(({ delegation, signature }) => ({
    delegation: new Delegation(delegation.pubkey, delegation.expiration, delegation.targets),
    signature,
  }));
  return DelegationIdentity.fromDelegation(key, DelegationChain.fromDelegations(delegations, message.userPublicKey));
}

const demo = {
  config,
  /** Options for the next login (maxTimeToLive as a decimal string). */
  loginOptions: {},
  /** The outcome of the last login: {status: 'success'|'error', ...}. */
  lastResult: null,
  /** Every message Sigil posted to this window, in order. */
  received: [],
  /** The identity of the last successful login (auth-client's or the frame's). */
  identity: authClient.getIdentity(),

  configureLogin(options) {
    demo.loginOptions = options;
    demo.lastResult = null;
  },

  /** Records the outcome of a login, for the page and the tests. */
  finishLogin(result, identity) {
    demo.lastResult = result;
    if (result.status === 'success') {
      demo.identity = identity;
      $('status').textContent = 'Signed in.';
      $('principal').textContent = result.principal;
    } else {
      $('status').textContent = `Sign-in failed: ${result.text}`;
    }
    return result;
  },

  /** Signs in through auth-client, which opens Sigil in a popup. */
  login() {
    const { maxTimeToLive, derivationOrigin } = demo.loginOptions;
    return new Promise((resolve) => {
      authClient.login({
        identityProvider: config.identityProvider,
        ...(maxTimeToLive && { maxTimeToLive: BigInt(maxTimeToLive) }),
        ...(derivationOrigin && { derivationOrigin }),
        onSuccess: () => {
          const identity = authClient.getIdentity();
          resolve(demo.finishLogin({ status: 'success', principal: identity.getPrincipal().toText() }, identity));
        },
        onError: (text) => resolve(demo.finishLogin({ status: 'error', text: String(text) })),
      });
    });
  },

  /**
   * Signs in with Sigil in a new iframe: waits for authorize-ready, then
   * asks as auth-client does in a popup.
   */
  async signInThroughFrame() {
    demo.lastResult = null;
    $('frames').replaceChildren();
    const ready = nextFrameMessage(['authorize-ready']);
    await demo.openFrame();
    await ready;
    return demo.requestThroughFrame();
  },

  /**
   * Posts authorize-client, for a new session key, to the Sigil frame that
   * said it is ready, and waits for Sigil's answer.
   */
  async requestThroughFrame() {
    const { maxTimeToLive, derivationOrigin } = demo.loginOptions;
    const key = await ECDSAKeyIdentity.generate();
    const answer = nextFrameMessage(['authorize-client-success', 'authorize-client-failure']);
    demo.postToFrame({
      kind: 'authorize-client',
      sessionPublicKey: new Uint8Array(key.getPublicKey().toDer()),
      ...(maxTimeToLive && { maxTimeToLive: BigInt(maxTimeToLive) }),
      ...(derivationOrigin && { derivationOrigin }),
    });
    const message = await answer;
    if (message.kind === 'authorize-client-failure') {
      return demo.finishLogin({ status: 'error', text: String(message.text) });
    }
    const identity = identityFromSuccess(key, message);
    return demo.finishLogin({ status: 'success', principal: identity.getPrincipal().toText() }, identity);
  },

  /** Asks the demo canister who is calling, as the identity of the last login. */
  async whoami() {
    const agent = await HttpAgent.create({
      host: config.host,
      identity: demo.identity,
      shouldFetchRootKey: true,
    });
    const actor = Actor.createActor(demoInterface, { agent, canisterId: config.canisterId });
    const principal = (await actor.whoami()).toText();
    $('whoami-result').textContent = `The canister sees ${principal}`;
    return principal;
  },

  /** The expiration (ns since the epoch, as a decimal string) of the delegation of the last login. */
  delegationExpiration() {
    const [first] = demo.identity.getDelegation().delegations;
    return first.delegation.expiration.toString();
  },

  async logout() {
    await authClient.logout();
    demo.identity = authClient.getIdentity();
    $('status').textContent = 'Not signed in.';
    $('principal').textContent = '';
  },

  /**
   * Embeds Sigil's /#authorize in an iframe named "sigil", allowed to use
   * passkeys unless the login options say `framePasskeys: false`.
   */
  openFrame() {
    const frame = document.createElement('iframe');
    frame.name = 'sigil';
    if (demo.loginOptions?.framePasskeys !== false) frame.allow = SIGIL_FRAME_PERMISSIONS;
    frame.src = config.identityProvider;
    $('frames').append(frame);
    return new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  },

  /** Embeds a second, foreign window next to Sigil's frame. */
  openForeignFrame() {
    const frame = document.createElement('iframe');
    frame.name = 'foreign';
    frame.src = '/foreign.html';
    frame.style.height = '4rem';
    $('frames').append(frame);
    return new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  },

  /** Posts `message` to the Sigil frame, for its origin only. */
  postToFrame(message) {
    window.frames['sigil'].postMessage(message, sigilOrigin);
  },
};

window.addEventListener('message', (event) => {
  if (event.origin === sigilOrigin) demo.received.push(event.data);
});

$('login').addEventListener('click', () => demo.login());
$('login-frame').addEventListener('click', () => demo.signInThroughFrame());
$('whoami').addEventListener('click', () => demo.whoami().catch((e) => ($('whoami-result').textContent = String(e))));
$('logout').addEventListener('click', () => demo.logout());

window.demo = demo;
document.body.dataset.ready = 'true';
