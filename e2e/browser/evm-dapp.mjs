// Driving the demo EVM dapp (e2e/demo-dapp/evm.html) and the Sigil windows
// its provider opens, shared by the EVM provider's browser tests.

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

/** The outcome of the dapp's last action: { name, ok, value } or { name, ok: false, code, message }. */
export async function lastResult(page) {
  const handle = await page.waitForFunction(() => evmDemo.state.lastResult, null, { timeout: 90_000 });
  return handle.jsonValue();
}

/** Calls `provider.request(args)` on the discovered provider directly; its outcome. */
export async function rawRequest(page, args) {
  return page.evaluate((args) => evmDemo.raw(args), args);
}
