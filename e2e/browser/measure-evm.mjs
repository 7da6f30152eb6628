// How long an EVM dapp waits for `eth_sendTransaction` (a benchmark, not a
// test):
//   node e2e/browser/measure-evm.mjs [runs, at most 9]
// Against a fresh localnet with the identity manager and the signer, and a
// Hardhat node: a person signs up on the wallet (so a session is kept and
// Sigil's window asks for no passkey), the demo EVM dapp connects, then
// each run is one `eth_sendTransaction` of 0.001 ETH through the provider;
// an init script in Sigil's documents clicks Approve the moment the review
// is in the DOM. Times are wall-clock instants taken where each event
// happens (the dapp and Sigil's window run in one browser process here).
// Also prints the provider module's bytes (dist/evm-provider.js). Needs
// dist/, the demo dapp bundle, LOCALNET_BIN and the canister wasm
// (DEMO_WASM, IDENTITY_MANAGER_WASM, SIGNER_WASM), as scripts/test has them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { JsonRpcProvider } from 'ethers';

import { connectDapp, fundedAccount, openEvmDapp } from './evm-dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { summary } from './sign-in-latency.mjs';
import { SIGIL_DIST } from './sites.mjs';

// The identity manager signs 10 at once for an account (then one per 30 s):
// one warm-up and nine runs.
const runs = Math.min(Number(process.argv[2] ?? 9), 9);
const RECIPIENT = '0x3535353535353535353535353535353535353535';

/** In Sigil's documents: clicks Approve on each new review and reports when. */
function approveOnReview(sigilOrigin) {
  if (location.origin !== sigilOrigin) return;
  const now = () => performance.timeOrigin + performance.now();
  let clicked = null;
  new MutationObserver(() => {
    const screen = document.querySelector('[data-screen=evm-review]');
    if (!screen || screen === clicked) return;
    const shownAt = now();
    clicked = screen;
    screen.querySelector('[data-action=approve]').click();
    window.reportReview({ shownAt, clickedAt: now() });
  }).observe(document, { childList: true, subtree: true });
}

const provider = await readFile(join(SIGIL_DIST, 'evm-provider.js'));
console.log(`provider module: ${provider.length} bytes, ${gzipSync(provider, { level: 9 }).length} gzip`);

const env = await startEnvironment({ evm: true });
const chain = new JsonRpcProvider(env.node.url, 31337, { staticNetwork: true });
try {
  await fundedAccount(env, chain);
  const dapp = await openEvmDapp(env);
  const connected = await connectDapp(env, dapp);
  if (!connected.ok) throw new Error(`connecting failed: ${connected.message}`);
  const reviews = [];
  await env.browser.context.exposeBinding('reportReview', (_source, times) => reviews.push(times));
  await env.browser.context.addInitScript(approveOnReview, new URL(env.sites.sigilUrl).origin);
  const samples = [];
  for (let run = 0; run <= runs; run++) {
    const times = await dapp.evaluate(async (to) => {
      const now = () => performance.timeOrigin + performance.now();
      const [from] = await evmDemo.state.rawProvider.request({ method: 'eth_accounts' });
      const requestedAt = now();
      await evmDemo.state.rawProvider.request({
        method: 'eth_sendTransaction',
        params: [{ from, to, value: '0x38d7ea4c68000' }],
      });
      return { requestedAt, answeredAt: now() };
    }, RECIPIENT);
    const review = reviews.shift();
    if (!review) throw new Error('Sigil showed no review');
    if (run > 0) samples.push({ ...times, ...review });
  }
  const rows = [
    ['request → hash returned', (t) => t.answeredAt - t.requestedAt],
    ['request → review shown (window opened, app loaded, checks, node, prepare_signature)', (t) => t.shownAt - t.requestedAt],
    ['Approve clicked → hash returned (approve_signature, eth_sendRawTransaction)', (t) => t.answeredAt - t.clickedAt],
  ];
  console.log(`\n${runs} runs after one warm-up, ms:\n`);
  console.log('| from → to | median | min | max |\n| --- | ---: | ---: | ---: |');
  for (const [name, of] of rows) {
    const { median, min, max } = summary(samples.map(of));
    console.log(`| ${name} | ${Math.round(median)} | ${Math.round(min)} | ${Math.round(max)} |`);
  }
} finally {
  chain.destroy();
  await env.stop();
}
