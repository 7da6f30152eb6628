// Page weight of /#authorize: raw, gzip (level 9) and brotli (quality 11)
// bytes of everything the page loads from a trunk build (index.html, the
// stylesheet, and the glue and wasm of the `authorize` bundle), and a
// limit on the gzip total:
//   node scripts/lib/page-weight.mjs [dist] [--limit=BYTES]
// Prints a table and exits 1 when the gzip total is above the limit
// (GZIP_LIMIT unless given). dist defaults to dist/ at the top level.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * The largest gzip total /#authorize may load, in bytes. A feature that
 * would push the page past it makes room first.
 */
export const GZIP_LIMIT = 450_000;

/**
 * The files /#authorize loads from `dist`: index.html, what it links
 * (the stylesheet) and the `authorize` bundle that its loader imports
 * (`#sigil-bundles`, written by scripts/lib/post-build.mjs).
 */
export async function authorizeFiles(dist) {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const links = [...html.matchAll(/<link\b[^>]*\bhref="\/([^"#]+)"/g)].map((m) => m[1]);
  const bundles = html.match(/<script type="application\/json" id="sigil-bundles">(.*?)<\/script>/)?.[1];
  if (!bundles) throw new Error(`${dist}/index.html has no #sigil-bundles: build the app with trunk first`);
  const { js, wasm } = JSON.parse(bundles).authorize;
  return ['index.html', ...new Set([...links, js.slice(1), wasm.slice(1)])];
}

/**
 * One row per file that /#authorize loads from `dist`, then a `total`
 * row: `{ file, raw, gzip, brotli }` in bytes.
 */
export async function pageWeight(dist) {
  const rows = [];
  for (const name of await authorizeFiles(dist)) {
    const bytes = await readFile(join(dist, name));
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

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const limitArg = args.find((arg) => arg.startsWith('--limit='));
  const limit = limitArg ? Number(limitArg.slice('--limit='.length)) : GZIP_LIMIT;
  const dist = resolve(args.find((arg) => !arg.startsWith('--')) ?? join(dirname(fileURLToPath(import.meta.url)), '../../dist'));
  const rows = await pageWeight(dist);
  console.table(rows);
  const { gzip } = rows.at(-1);
  if (gzip > limit) {
    console.error(`page weight: /#authorize loads ${gzip} bytes gzip, above the limit of ${limit}`);
    process.exit(1);
  }
  console.log(`page weight: /#authorize loads ${gzip} bytes gzip (limit ${limit})`);
}
