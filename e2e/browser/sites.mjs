// Sigil's built app (dist/) and the demo dapp, each on its own localhost
// port, so they are separate origins; the dapp is served twice, on two
// ports, so one browser holds two dapp origins (one principal each). Sigil
// gets /sigil.json for the given network (and EVM chains, each with its
// node's URL); each dapp gets /dapp.json and an
// alternative-origins document the caller can change.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { serveDirectory } from './static-server.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SIGIL_DIST = join(ROOT, 'dist');
export const DAPP_ROOT = join(ROOT, 'e2e/demo-dapp');

/**
 * Serves Sigil and the demo dapp (on two origins) against the network at
 * `networkUrl` whose canister ids are `ids` (at least `demo`). `sigilDist`
 * is the trunk output to serve (the production build unless a test needs
 * another); `sigilHost` the host name the dapps open Sigil at (one the
 * browser resolves to loopback); `evmChains` the EVM chains of Sigil's
 * configuration (`{ chain_id, name, symbol, rpc_url }`). Port 0 picks a
 * free port.
 */
export async function startSites({
  networkUrl,
  ids,
  sigilPort = 0,
  dappPort = 0,
  secondDappPort = 0,
  sigilDist = SIGIL_DIST,
  sigilHost = 'localhost',
  evmChains = [],
}) {
  for (const [what, file] of [
    ['the app (trunk build --release)', join(sigilDist, 'index.html')],
    ['the demo dapp (esbuild)', join(DAPP_ROOT, 'dist/main.js')],
  ]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: build ${what} first, as scripts/test does`);
  }
  const sigil = await serveDirectory({
    root: sigilDist,
    port: sigilPort,
    routes: {
      // Read by dapps too: the EVM provider finds its chains there.
      '/sigil.json': () => ({
        body: { network: 'local', url: networkUrl, canisters: ids, evm_chains: evmChains },
        headers: { 'access-control-allow-origin': '*' },
      }),
    },
    shared: ['/evm-provider.js'],
  });
  const sigilUrl = `http://${sigilHost}:${sigil.port}`;
  let alternativeOrigins = [];
  const serveDapp = (port) =>
    serveDirectory({
      root: DAPP_ROOT,
      port,
      routes: {
        '/dapp.json': () => ({
          body: {
            identityProvider: `${sigilUrl}/#authorize`,
            evmProvider: `${sigilUrl}/evm-provider.js`,
            host: networkUrl,
            canisterId: ids.demo,
          },
        }),
        '/.well-known/ii-alternative-origins': () => ({
          body: { alternativeOrigins },
          headers: { 'access-control-allow-origin': '*' },
        }),
      },
    });
  const servers = [sigil];
  try {
    const dapp = await serveDapp(dappPort);
    servers.push(dapp);
    const secondDapp = await serveDapp(secondDappPort);
    servers.push(secondDapp);
    return {
      sigilUrl,
      dappUrl: `http://localhost:${dapp.port}`,
      dappPort: dapp.port,
      /** The same dapp on another origin. */
      secondDappUrl: `http://localhost:${secondDapp.port}`,
      /** What each dapp's /.well-known/ii-alternative-origins lists. */
      setAlternativeOrigins(origins) {
        alternativeOrigins = origins;
      },
      async stop() {
        await Promise.all(servers.map((server) => server.stop()));
      },
    };
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
}
