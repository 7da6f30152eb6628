// How long signing takes on localnet, as a client waits for it: N EIP-1559
// transfers (at most 10, the identity manager's burst), each prepared
// (`prepare_signature`: the review) and approved (`approve_signature`: the
// threshold signature), timed from the call to the certified reply.
//
//   node e2e/localnet/measure-signing.mjs [N]
//
// Needs LOCALNET_BIN, DEMO_WASM, IDENTITY_MANAGER_WASM and SIGNER_WASM, as
// scripts/test sets them. Prints the minimum, median and maximum of each.
import { performance } from 'node:perf_hooks';

import { chainsCanisters } from './chains.mjs';
import { startLocalnet } from './harness.mjs';
import { openAccount } from './signing.mjs';

const runs = Math.min(Number(process.argv[2] ?? 9), 10);
const net = await startLocalnet({ canisters: chainsCanisters(process.env.SIGNER_WASM) });
try {
  const { im, account } = await openAccount(net.url);
  const timings = { prepare_signature: [], approve_signature: [] };
  for (let nonce = 0; nonce < runs; nonce += 1) {
    const request = {
      EvmTransaction: {
        chain_id: '31337',
        nonce: String(nonce),
        to: ['0x3535353535353535353535353535353535353535'],
        value: ['10000000000000000'],
        data: [],
        gas: '21000',
        gas_price: [],
        max_fee_per_gas: ['2000000000'],
        max_priority_fee_per_gas: ['1000000000'],
        access_list: [],
      },
    };
    let start = performance.now();
    const prepared = await im.prepare_signature({ account, request, origin: [] });
    timings.prepare_signature.push(performance.now() - start);
    if (!('Ok' in prepared)) throw new Error('the transfer was not prepared');
    start = performance.now();
    const signed = await im.approve_signature({ account, id: prepared.Ok.id });
    timings.approve_signature.push(performance.now() - start);
    if (!('Ok' in signed)) throw new Error('the transfer was not signed');
  }
  for (const [method, values] of Object.entries(timings)) {
    const sorted = [...values].sort((a, b) => a - b);
    const ms = (value) => `${value.toFixed(0)} ms`;
    console.log(
      `${method}: min ${ms(sorted[0])}, median ${ms(sorted[Math.floor(sorted.length / 2)])}, max ${ms(sorted.at(-1))} (${runs} runs)`,
    );
  }
} finally {
  await net.stop();
}
