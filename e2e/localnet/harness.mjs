// Starts a fresh localnet with the demo canister deployed, for one test file.
// Needs LOCALNET_BIN (the localnet binary) and DEMO_WASM (the demo canister's
// wasm), as scripts/test sets them; IDENTITY_MANAGER_WASM, when set, deploys
// the identity manager too, with `options.identityManagerInitHex` (its
// Candid-encoded init argument) when given. `options.canisters` adds or
// overrides entries of the deploy configuration (`{ name: { wasm,
// init_arg_hex, id } }`), for canisters that name each other by id.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through scripts/test`);
  return value;
}

export async function startLocalnet({ identityManagerInitHex, canisters: extra = {} } = {}) {
  const bin = required('LOCALNET_BIN');
  const demoWasm = required('DEMO_WASM');
  const stateDir = await mkdtemp(join(tmpdir(), 'sigil-localnet-'));
  const config = join(stateDir, 'deploy.json');
  const canisters = { demo: { wasm: demoWasm } };
  if (process.env.IDENTITY_MANAGER_WASM) {
    canisters.identity_manager = { wasm: process.env.IDENTITY_MANAGER_WASM };
    if (identityManagerInitHex) canisters.identity_manager.init_arg_hex = identityManagerInitHex;
  }
  for (const [name, canister] of Object.entries(extra)) {
    canisters[name] = { ...canisters[name], ...canister };
  }
  await writeFile(config, JSON.stringify({ canisters }));
  const child = spawn(bin, ['--port', '0', '--state-dir', stateDir, '--deploy', config], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('localnet did not start within 120 s')), 120_000);
    child.once('exit', (code) => reject(new Error(`localnet exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^localnet listening on (\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  const ids = JSON.parse(await readFile(join(stateDir, 'canister_ids.json'), 'utf8'));
  return {
    url,
    ids,
    /** Holds the network's state, including the deployer's key (`deployer.ed25519`). */
    stateDir,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
