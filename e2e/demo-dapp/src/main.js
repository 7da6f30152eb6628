// The demo dapp: signs in with Sigil through @dfinity/auth-client (unchanged
// from npm) and calls the demo canister's `whoami`. Its settings come from
// /dapp.json (written by whoever serves it). `window.demo` exposes the same
// actions to the browser tests, plus an iframe mode that speaks the
// /#authorize protocol by hand.
import { Actor, HttpAgent } from '@dfinity/agent';
import { AuthClient } from '@dfinity/auth-client';

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

const demo = {
  config,
  /** Options for the next login (maxTimeToLive as a decimal string). */
  loginOptions: {},
  /** The outcome of the last login: {status: 'success'|'error', ...}. */
  lastResult: null,
  /** Every message Sigil posted to this window, in order. */
  received: [],

  configureLogin(options) {
    demo.loginOptions = options;
    demo.lastResult = null;
  },

  login() {
    const { maxTimeToLive, derivationOrigin } = demo.loginOptions;
    return new Promise((resolve) => {
      authClient.login({
        identityProvider: config.identityProvider,
        ...(maxTimeToLive && { maxTimeToLive: BigInt(maxTimeToLive) }),
        ...(derivationOrigin && { derivationOrigin }),
        onSuccess: () => {
          const principal = authClient.getIdentity().getPrincipal().toText();
          demo.lastResult = { status: 'success', principal };
          $('status').textContent = 'Signed in.';
          $('principal').textContent = principal;
          resolve(demo.lastResult);
        },
        onError: (text) => {
          demo.lastResult = { status: 'error', text: String(text) };
          $('status').textContent = `Sign-in failed: ${text}`;
          resolve(demo.lastResult);
        },
      });
    });
  },

  async whoami() {
    const agent = await HttpAgent.create({
      host: config.host,
      identity: authClient.getIdentity(),
      shouldFetchRootKey: true,
    });
    const actor = Actor.createActor(demoInterface, { agent, canisterId: config.canisterId });
    const principal = (await actor.whoami()).toText();
    $('whoami-result').textContent = `The canister sees ${principal}`;
    return principal;
  },

  /** The expiration (ns since the epoch, as a decimal string) of the delegation auth-client holds. */
  delegationExpiration() {
    const [first] = authClient.getIdentity().getDelegation().delegations;
    return first.delegation.expiration.toString();
  },

  async logout() {
    await authClient.logout();
    $('status').textContent = 'Not signed in.';
    $('principal').textContent = '';
  },

  /** Embeds Sigil's /#authorize in an iframe named "sigil". */
  openFrame() {
    const frame = document.createElement('iframe');
    frame.name = 'sigil';
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
$('whoami').addEventListener('click', () => demo.whoami().catch((e) => ($('whoami-result').textContent = String(e))));
$('logout').addEventListener('click', () => demo.logout());

window.demo = demo;
document.body.dataset.ready = 'true';
