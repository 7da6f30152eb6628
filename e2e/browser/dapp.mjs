// Driving the demo dapp and the Sigil window it opens, shared by the
// browser tests: open the dapp, log in through auth-client's popup, read
// the outcome, and move passkeys between the CDP virtual authenticators
// (each page has its own).

/** The demo dapp at `url` (the first dapp origin unless given), ready. */
export async function openDapp(env, url = env.sites.dappUrl) {
  const page = await env.browser.open(url);
  await page.waitForSelector('body[data-ready=true]');
  return page;
}

/** Clicks the dapp's auth-client login with `options`; resolves to Sigil's popup. */
export async function loginThroughPopup(env, page, options = {}) {
  await page.evaluate((options) => demo.configureLogin(options), options);
  const [popup] = await Promise.all([env.browser.context.waitForEvent('page'), page.click('#login')]);
  return popup;
}

/** Starts a sign-in with Sigil in a new iframe of the dapp; resolves to that frame. */
export async function loginThroughFrame(page, options = {}) {
  await page.evaluate((options) => {
    demo.configureLogin(options);
    demo.signInThroughFrame();
  }, options);
  const element = await page.waitForSelector('iframe[name=sigil]');
  return element.contentFrame();
}

/** The outcome of the dapp's last login: {status: 'success', principal} or {status: 'error', text}. */
export async function loginResult(page) {
  return (await page.waitForFunction(() => demo.lastResult, null, { timeout: 60_000 })).jsonValue();
}

/** Waits for Sigil's consent screen in `target` (a page or a frame); the principal it names. */
export async function consentPrincipal(target) {
  await target.locator('[data-screen=consent]').waitFor({ timeout: 60_000 });
  return target.locator('[data-principal]').getAttribute('data-principal');
}

/** The passkeys on `page`'s virtual authenticator, as CDP exports them. */
export async function passkeysOn(env, page) {
  const { cdp, authenticatorId } = await env.browser.authenticator(page);
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
}

/** Puts `passkey` (as CDP exported it) on `page`'s virtual authenticator. */
export async function givePasskey(env, page, passkey) {
  const { cdp, authenticatorId } = await env.browser.authenticator(page);
  await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: passkey });
}

/** A session key (Ed25519, DER) for requests that end before a delegation. */
export const ED25519_KEY = '302a300506032b6570032100' + '11'.repeat(32);

/**
 * Opens the dapp at `url` with Sigil in a frame that said it is ready, and
 * posts it authorize-client for ED25519_KEY with `fields` (such as
 * `derivationOrigin`); resolves to the page, Sigil's frame and the time the
 * request was posted.
 */
export async function requestInFrame(env, url, fields = {}) {
  const page = await openDapp(env, url);
  await page.evaluate(() => demo.openFrame());
  await page.waitForFunction(() => demo.received.some((message) => message?.kind === 'authorize-ready'));
  const posted = Date.now();
  await page.evaluate(
    ({ keyHex, fields }) =>
      demo.postToFrame({
        kind: 'authorize-client',
        sessionPublicKey: Uint8Array.from(keyHex.match(/../g), (byte) => parseInt(byte, 16)),
        ...fields,
      }),
    { keyHex: ED25519_KEY, fields },
  );
  return { page, frame: page.frame({ name: 'sigil' }), posted };
}

/** Sigil's authorize-client-failure to the dapp on `page` (waits up to `timeout` ms). */
export async function failureOn(page, timeout = 30_000) {
  const handle = await page.waitForFunction(
    () => demo.received.find((message) => message?.kind === 'authorize-client-failure'),
    null,
    { timeout },
  );
  return handle.jsonValue();
}
