// Debian's Chromium, headless, driven by playwright-core: never a downloaded
// browser. A fresh user-data directory per launch; every page (popups too)
// gets a CDP virtual WebAuthn authenticator (options may be overridden, e.g.
// `{ hasResidentKey: false }` for one that keeps no discoverable passkeys);
// screenshots go to e2e/artifacts/. `args` adds Chromium flags (such as
// `--host-resolver-rules`); `ignoreHTTPSErrors` accepts the self-signed
// certificates of test servers on loopback.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../artifacts');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AUTHENTICATOR = {
  protocol: 'ctap2',
  transport: 'internal',
  hasResidentKey: true,
  hasUserVerification: true,
  isUserVerified: true,
  automaticPresenceSimulation: true,
};

export async function launchBrowser({ authenticator = {}, args = [], ignoreHTTPSErrors = false } = {}) {
  const userDataDir = await mkdtemp(join(tmpdir(), 'sigil-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, ...args],
    ignoreHTTPSErrors,
    viewport: { width: 420, height: 760 },
  });
  // One virtual authenticator per page, attached once, popups included.
  const authenticators = new Map();
  const attach = (page) => {
    if (!authenticators.has(page)) {
      authenticators.set(
        page,
        (async () => {
          const cdp = await context.newCDPSession(page);
          await cdp.send('WebAuthn.enable');
          const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
            options: { ...AUTHENTICATOR, ...authenticator },
          });
          return { cdp, authenticatorId };
        })(),
      );
    }
    return authenticators.get(page);
  };
  context.on('page', (page) => attach(page).catch(() => {}));
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    context,
    /** A new tab at `url`, with its virtual authenticator ready. */
    async open(url) {
      const page = await context.newPage();
      await attach(page);
      await page.goto(url);
      return page;
    },
    /** The virtual authenticator of `page` (resolves to `{cdp, authenticatorId}`). */
    authenticator(page) {
      return attach(page);
    },
    /** Saves a page (or a locator's element) as e2e/artifacts/<name>.png. */
    async screenshot(target, name) {
      const path = join(ARTIFACTS, `${name}.png`);
      await target.screenshot('goto' in target ? { path, fullPage: true } : { path });
    },
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
