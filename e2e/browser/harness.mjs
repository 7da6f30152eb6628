// Everything a browser test needs, started once per test file: a fresh
// localnet with the demo canister, Sigil and the demo dapp on two origins,
// and Chromium. Builds nothing: scripts/test builds the app and the dapp
// first (and sets LOCALNET_BIN and DEMO_WASM). `options.authenticator`
// overrides options of the virtual authenticators, `options.browser` adds
// launch options (see browser.mjs); `options.identityManagerInitHex`
// configures the identity manager. Without it, the identity manager is
// deployed with the signer (SIGNER_WASM), so that the wallet has addresses.
import { chainsCanisters } from '../localnet/chains.mjs';
import { startLocalnet } from '../localnet/harness.mjs';
import { launchBrowser } from './browser.mjs';
import { startSites } from './sites.mjs';

export async function startEnvironment({
  authenticator,
  browser: browserOptions = {},
  identityManagerInitHex,
} = {}) {
  const canisters =
    identityManagerInitHex || !process.env.SIGNER_WASM ? {} : chainsCanisters(process.env.SIGNER_WASM);
  const net = await startLocalnet({ identityManagerInitHex, canisters });
  const stops = [() => net.stop()];
  try {
    const sites = await startSites({ networkUrl: net.url, ids: net.ids });
    stops.unshift(() => sites.stop());
    const browser = await launchBrowser({ authenticator, ...browserOptions });
    stops.unshift(() => browser.close());
    return {
      net,
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
