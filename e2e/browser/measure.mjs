// Page weight, readiness and sign-in latency of /#authorize (a benchmark,
// not a test):
//   node e2e/browser/measure.mjs [runs]
// Prints raw/gzip/brotli bytes of everything the page loads from dist/
// (scripts/lib/page-weight.mjs, which also enforces the limit);
// the time from creating a Sigil iframe in the demo dapp to receiving
// `authorize-ready` (first load and median of warm loads); and, against a
// fresh localnet, how long a returning person's sign-in takes, in headless
// Chromium. Needs dist/ and the demo dapp bundle, as scripts/test builds
// them; the sign-in part also needs the localnet binary and the canister
// wasm (LOCALNET_BIN, DEMO_WASM, IDENTITY_MANAGER_WASM, else found under
// $CARGO_TARGET_DIR or target/) and is skipped without them.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { pageWeight } from '../../scripts/lib/page-weight.mjs';
import { launchBrowser } from './browser.mjs';
import { startEnvironment } from './harness.mjs';
import { signInLatency } from './sign-in-latency.mjs';
import { SIGIL_DIST, startSites } from './sites.mjs';

const runs = Number(process.argv[2] ?? 15);

async function timeToReady() {
  const sites = await startSites({ networkUrl: 'http://127.0.0.1:9', ids: { demo: 'aaaaa-aa' } });
  const browser = await launchBrowser();
  try {
    const page = await browser.open(sites.dappUrl);
    await page.waitForSelector('body[data-ready=true]');
    const times = [];
    for (let run = 0; run < runs; run++) {
      times.push(
        await page.evaluate(async () => {
          document.getElementById('frames').replaceChildren();
          demo.received.length = 0;
          const start = performance.now();
          demo.openFrame();
          while (!demo.received.some((m) => m?.kind === 'authorize-ready')) {
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          return performance.now() - start;
        }),
      );
    }
    const warm = times.slice(1).sort((a, b) => a - b);
    return { first: times[0], warmMedian: warm[Math.floor(warm.length / 2)], runs };
  } finally {
    await browser.close();
    await sites.stop();
  }
}

/**
 * Points LOCALNET_BIN, DEMO_WASM and IDENTITY_MANAGER_WASM at the build
 * outputs when they are not set; whether all three exist.
 */
function findNetworkBuild() {
  const target = process.env.CARGO_TARGET_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '../../target');
  const wasm = join(target, 'wasm32-unknown-unknown/release');
  const defaults = {
    LOCALNET_BIN: join(target, 'debug/localnet'),
    DEMO_WASM: join(wasm, 'demo.wasm'),
    IDENTITY_MANAGER_WASM: join(wasm, 'identity_manager.wasm'),
  };
  for (const [name, path] of Object.entries(defaults)) process.env[name] ??= path;
  return Object.keys(defaults).every((name) => existsSync(process.env[name]));
}

const milliseconds = (value) => Math.round(value);

console.table(await pageWeight(SIGIL_DIST));
const ready = await timeToReady();
console.log(
  `navigation to authorize-ready: first ${ready.first.toFixed(0)} ms, warm median ${ready.warmMedian.toFixed(0)} ms (${ready.runs} runs)`,
);

if (findNetworkBuild()) {
  const env = await startEnvironment();
  try {
    const rows = await signInLatency(env, runs);
    console.log(`returning person's sign-in (live session, consent clicked at once), ${runs} runs after one warm-up, ms:`);
    console.table(
      rows.map(({ mode, phase, median, min, max }) => ({
        mode,
        phase,
        median: milliseconds(median),
        min: milliseconds(min),
        max: milliseconds(max),
      })),
    );
  } finally {
    await env.stop();
  }
} else {
  console.log('sign-in latency skipped: build localnet and the canisters first (as scripts/test does)');
}
