// Driving the demo EVM dapp (e2e/demo-dapp/evm.html) and the Sigil windows
// its provider opens, shared by the EVM provider's browser tests.

/**
 * Signs up on Sigil's wallet (a new passkey and account) and funds the
 * account's EVM address with 10 ETH on `chain` (an ethers JsonRpcProvider
 * of the Hardhat node); resolves to the wallet page and the address.
 */
export async function fundedAccount(env, chain) {
  const wallet = await env.browser.open(`${env.sites.sigilUrl}/`);
  await wallet.getByRole('button', { name: 'Create a passkey' }).click();
  const shown = wallet.locator('[data-address=evm]');
  await shown.waitFor({ timeout: 90_000 });
  const address = await shown.textContent();
  await chain.send('hardhat_setBalance', [address, '0x8ac7230489e80000']);
  return { wallet, address };
}

/** Connects the dapp on `page` through Sigil's window; the outcome. */
export async function connectDapp(env, page) {
  const popup = await popupFor(env, page, 'evmDemo.connect()');
  await (await screenIn(popup, 'evm-connect')).locator('[data-action=approve]').click();
  return lastResult(page);
}

/** The demo EVM dapp at `base` (a dapp origin), ready: it has discovered a provider. */
export async function openEvmDapp(env, base = env.sites.dappUrl) {
  const page = await env.browser.open(`${base}/evm.html`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60_000 });
  return page;
}

/** Starts `action` in the dapp (an expression, e.g. `evmDemo.connect()`); resolves to Sigil's window. */
export async function popupFor(env, page, action) {
  const [popup] = await Promise.all([
    env.browser.context.waitForEvent('page', { timeout: 30_000 }),
    // Not awaited: the dapp waits for the person, in Sigil's window.
    page.evaluate((action) => void (0, eval)(action), action),
  ]);
  return popup;
}

/** Waits for Sigil's window to show `screen` (data-screen) and returns its section. */
export async function screenIn(popup, screen) {
  const section = popup.locator(`[data-screen=${screen}]`);
  await section.waitFor({ timeout: 60_000 });
  return section;
}

/**
 * Clicks Close on the refusal Sigil's window shows (a popup) and waits for
 * the window to go; the click's own bookkeeping may find the page already
 * closed, which is what it was for.
 */
export async function closeRefusal(popup) {
  const section = await screenIn(popup, 'evm-refused');
  const closed = popup.waitForEvent('close');
  await section.getByRole('button', { name: 'Close' }).click().catch(() => {});
  await closed;
}

/** The outcome of the dapp's last action: { name, ok, value } or { name, ok: false, code, message }. */
export async function lastResult(page) {
  const handle = await page.waitForFunction(() => evmDemo.state.lastResult, null, { timeout: 90_000 });
  return handle.jsonValue();
}

/** Calls `provider.request(args)` on the discovered provider directly; its outcome. */
export async function rawRequest(page, args) {
  return page.evaluate((args) => evmDemo.raw(args), args);
}
