// `scripts/run`'s front end: once the local network answers, serves Sigil
// (dist/) and the demo dapp against it on localhost ports (the dapp twice,
// on two origins, which get two principals), and prints the URLs. Stops on
// SIGINT/SIGTERM.
//
//   node e2e/browser/serve.mjs --network http://127.0.0.1:4943 \
//     --ids .localnet/canister_ids.json --sigil-port 8080 --dapp-port 8081 \
//     [--second-dapp-port N]    (default: any free port)
//     [--evm-rpc URL]           (the local EVM chain's node, chain 31337)
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { EVM_CHAINS } from '../localnet/chains.mjs';
import { startSites } from './sites.mjs';

const { values } = parseArgs({
  options: {
    network: { type: 'string' },
    ids: { type: 'string' },
    'sigil-port': { type: 'string', default: '8080' },
    'dapp-port': { type: 'string', default: '8081' },
    'second-dapp-port': { type: 'string', default: '0' },
    'evm-rpc': { type: 'string' },
  },
});
if (!values.network || !values.ids) {
  console.error('usage: serve.mjs --network <url> --ids <canister_ids.json> [--sigil-port N] [--dapp-port N] [--second-dapp-port N]');
  process.exit(2);
}

async function waitForNetwork(url, seconds) {
  for (let attempt = 0; attempt < seconds * 4; attempt++) {
    try {
      if ((await fetch(`${url}/api/v2/status`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the local network at ${url} did not answer within ${seconds} s`);
}

await waitForNetwork(values.network, 300);
const ids = JSON.parse(await readFile(values.ids, 'utf8'));
const sites = await startSites({
  networkUrl: values.network,
  ids,
  sigilPort: Number(values['sigil-port']),
  dappPort: Number(values['dapp-port']),
  secondDappPort: Number(values['second-dapp-port']),
  evmChains: values['evm-rpc']
    ? EVM_CHAINS.map(({ chain_id, name, symbol }) => ({ chain_id: Number(chain_id), name, symbol, rpc_url: values['evm-rpc'] }))
    : [],
});
console.log(`Sigil      ${sites.sigilUrl}`);
console.log(`demo dapp  ${sites.dappUrl}   (signs in with Sigil, calls whoami)`);
console.log(`demo dapp  ${sites.secondDappUrl}   (the same dapp on another origin: another principal)`);
if (values['evm-rpc']) {
  console.log(`EVM dapp   ${sites.dappUrl}/evm.html   (ethers over Sigil's EIP-1193 provider, on the local chain)`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await sites.stop();
    process.exit(0);
  });
}
