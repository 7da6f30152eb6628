// Page weight and readiness of /#authorize (a benchmark, not a test):
//   node e2e/browser/measure.mjs [runs]
// Prints raw/gzip/brotli bytes of everything the page loads from dist/, and
// the time from creating a Sigil iframe in the demo dapp to receiving
// `authorize-ready` (first load and median of warm loads), in headless
// Chromium. Needs dist/ and the demo dapp bundle, as scripts/test builds them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { launchBrowser } from './browser.mjs';
import { SIGIL_DIST, startSites } from './sites.mjs';

const runs = Number(process.argv[2] ?? 15);

async function pageWeight() {
  const html = await readFile(join(SIGIL_DIST, 'index.html'), 'utf8');
  const assets = [...new Set([...html.matchAll(/(?:href|src|from|module_or_path:)\s*=?\s*['"]\/([^'"#]+)['"]/g)].map((m) => m[1]))];
  const rows = [];
  for (const name of ['index.html', ...assets]) {
    const bytes = await readFile(join(SIGIL_DIST, name));
    rows.push({
      file: name,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    });
  }
  const total = rows.reduce((sum, row) => ({ raw: sum.raw + row.raw, gzip: sum.gzip + row.gzip, brotli: sum.brotli + row.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  rows.push({ file: 'total', ...total });
  return rows;
}

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

console.table(await pageWeight());
const ready = await timeToReady();
console.log(
  `navigation to authorize-ready: first ${ready.first.toFixed(0)} ms, warm median ${ready.warmMedian.toFixed(0)} ms (${ready.runs} runs)`,
);
