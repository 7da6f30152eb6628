// Everything a browser test needs, started once per test file: a fresh
// localnet with the demo canister, Sigil and the demo dapp on two origins,
// and Chromium. Builds nothing: scripts/test builds the app and the dapp
// first (and sets LOCALNET_BIN and DEMO_WASM). `options.authenticator`
// overrides options of the virtual authenticators, `options.browser` adds
// launch options (see browser.mjs); `options.identityManagerInitHex`
// configures the identity manager. Without it, the identity manager is
// deployed with the signer (SIGNER_WASM), so that the wallet has addresses.
// `options.evm` also starts a Hardhat node (chain 31337) and names it in
// Sigil's configuration, for the wallet's balance and sends.
import { EVM_CHAINS, chainsCanisters } from '../localnet/chains.mjs';
import { freePort, startHardhat } from '../localnet/hardhat.mjs';
import { startLocalnet } from '../localnet/harness.mjs';
import { launchBrowser } from './browser.mjs';
import { startSites } from './sites.mjs';

export async function startEnvironment({
  authenticator,
  browser: browserOptions = {},
  identityManagerInitHex,
  evm = false,
} = {}) {
  // Sigil's port is chosen first: the identity manager knows Sigil's
  // origin (the accounts' global principals are theirs there, and a
  // passkey confirming a signature must have been asked there).
  const sigilPort = await freePort();
  const globalOrigin = `http://localhost:${sigilPort}`;
  const canisters =
    identityManagerInitHex || !process.env.SIGNER_WASM
      ? {}
      : chainsCanisters(process.env.SIGNER_WASM, { globalOrigin });
  const [net, node] = await Promise.all([
    startLocalnet({ identityManagerInitHex, canisters }),
    evm ? startHardhat() : null,
  ]);
  const stops = [() => net.stop()];
  if (node) stops.push(() => node.stop());
  try {
    const evmChains = node
      ? EVM_CHAINS.map(({ chain_id, name, symbol }) => ({ chain_id: Number(chain_id), name, symbol, rpc_url: node.url }))
      : [];
    const sites = await startSites({ networkUrl: net.url, ids: net.ids, evmChains, sigilPort });
    stops.unshift(() => sites.stop());
    const browser = await launchBrowser({ authenticator, ...browserOptions });
    stops.unshift(() => browser.close());
    return {
      net,
      /** The Hardhat node, with `options.evm`. */
      node,
      sites,
      browser,
      async stop() {
        for (const stop of stops) await stop().catch(() => {});
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => {});
    throw error;
  }
}
