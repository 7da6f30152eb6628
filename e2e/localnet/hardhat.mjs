// Starts Hardhat's in-memory EVM node (chain id 31337 unless told another,
// the `hardhat.config.cjs` beside `package.json`) on a free loopback port,
// for one test file, and stops it. The node keeps nothing on disk.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const E2E = join(dirname(fileURLToPath(import.meta.url)), '..');
export const HARDHAT_CHAIN_ID = 31337;

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startHardhat({ chainId = HARDHAT_CHAIN_ID } = {}) {
  const port = await freePort();
  const child = spawn(
    join(E2E, 'node_modules/.bin/hardhat'),
    ['--config', join(E2E, 'hardhat.config.cjs'), 'node', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: E2E,
      env: {
        ...process.env,
        SIGIL_HARDHAT_CHAIN_ID: String(chainId),
        HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
        NO_COLOR: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Hardhat node did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the Hardhat node exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      // Colours, where a terminal or the test runner asks for them.
      const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
      const match = /JSON-RPC server at (http:\/\/[^\s/]+)/.exec(plain);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}
