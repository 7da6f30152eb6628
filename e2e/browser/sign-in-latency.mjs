// How long a returning person's sign-in takes, for measure.mjs: a person
// signs up once (a passkey in Sigil's frame), so a live session is in
// Sigil's IndexedDB; then every run is a fresh Sigil document that gets a
// request, finds the session (no passkey prompt) and shows the consent
// screen, whose Continue is clicked the moment it is in the DOM.
//
// Times are wall-clock instants (performance.timeOrigin + now()) taken in
// the document where each event happens: the dapp posting authorize-client
// and receiving the answer, Sigil's document seeing the consent screen and
// clicking Continue. Frame and popup run in the dapp's browser process
// here (localhost ports are one site), so the clocks agree.

/**
 * Runs in every document of the browser context (as an init script). In
 * Sigil's documents it clicks Continue as soon as the consent screen
 * appears and reports `{shownAt, clickedAt}` through `reportConsent`.
 */
function clickContinueOnConsent(sigilOrigin) {
  if (location.origin !== sigilOrigin) return;
  const now = () => performance.timeOrigin + performance.now();
  let clicked = null;
  new MutationObserver(() => {
    const screen = document.querySelector('[data-screen=consent]');
    if (!screen || screen === clicked) return;
    const shownAt = now();
    const button = [...screen.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Continue');
    clicked = screen;
    button.click();
    window.reportConsent({ shownAt, clickedAt: now() });
  }).observe(document, { childList: true, subtree: true });
}

/** One request to the ready Sigil frame of `page`, with a fresh P-256 session key, timed in the dapp. */
function requestThroughFrame(page) {
  return page.evaluate(async () => {
    const now = () => performance.timeOrigin + performance.now();
    const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const sessionPublicKey = new Uint8Array(await crypto.subtle.exportKey('spki', key.publicKey));
    const answer = new Promise((resolve) => {
      addEventListener('message', function listener(event) {
        if (event.source !== window.frames['sigil'] || !event.data?.kind?.startsWith('authorize-client-')) return;
        removeEventListener('message', listener);
        resolve({ at: now(), message: event.data });
      });
    });
    const postedAt = now();
    demo.postToFrame({ kind: 'authorize-client', sessionPublicKey });
    const { at, message } = await answer;
    if (message.kind !== 'authorize-client-success') throw new Error(`Sigil answered ${message.kind}: ${message.text}`);
    return { postedAt, answeredAt: at };
  });
}

/** Opens a new Sigil frame in `page` and waits for its authorize-ready. */
function openReadyFrame(page) {
  return page.evaluate(async () => {
    document.getElementById('frames').replaceChildren();
    demo.received.length = 0;
    await demo.openFrame();
    while (!demo.received.some((m) => m?.kind === 'authorize-ready')) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
}

/**
 * One auth-client login (popup), timed in the dapp: the login call, Sigil's
 * authorize-ready (auth-client posts its request in the same event
 * dispatch; this listener, added first, runs just before it) and the
 * success.
 */
function loginThroughPopup(page) {
  return page.evaluate(async () => {
    const now = () => performance.timeOrigin + performance.now();
    const seen = {};
    const listener = (event) => {
      const kind = event.data?.kind;
      if (kind === 'authorize-ready' || kind === 'authorize-client-success') seen[kind] ??= now();
    };
    addEventListener('message', listener);
    demo.configureLogin({});
    const loginClickedAt = now();
    const result = await demo.login();
    removeEventListener('message', listener);
    if (result.status !== 'success') throw new Error(`auth-client: ${result.text}`);
    return { loginClickedAt, postedAt: seen['authorize-ready'], answeredAt: seen['authorize-client-success'] };
  });
}

/** The median, minimum and maximum of `values`. */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted.at(-1) };
}

/**
 * Measures `runs` sign-ins in each mode (after one warm-up) in the
 * environment `env` (harness.mjs); returns rows of
 * `{mode, phase, median, min, max}` in milliseconds.
 */
export async function signInLatency(env, runs) {
  const consents = [];
  const { context } = env.browser;
  await context.exposeBinding('reportConsent', (_source, times) => consents.push(times));
  await context.addInitScript(clickContinueOnConsent, new URL(env.sites.sigilUrl).origin);
  const nextConsent = async () => {
    for (let wait = 0; !consents.length; wait++) {
      if (wait > 2000) throw new Error('Sigil showed no consent screen');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return consents.shift();
  };

  const page = await env.browser.open(env.sites.dappUrl);
  await page.waitForSelector('body[data-ready=true]');
  // Sign up once; Continue is clicked automatically.
  await page.evaluate(() => {
    demo.signInThroughFrame();
  });
  const frame = await (await page.waitForSelector('iframe[name=sigil]')).contentFrame();
  await frame.getByRole('button', { name: 'Create a passkey' }).click();
  const signedUp = await (await page.waitForFunction(() => demo.lastResult, null, { timeout: 60_000 })).jsonValue();
  if (signedUp.status !== 'success') throw new Error(`sign-up failed: ${signedUp.text}`);
  await nextConsent();

  const samples = { frame: [], popup: [] };
  for (let run = 0; run <= runs; run++) {
    await openReadyFrame(page);
    const frameTimes = { ...(await requestThroughFrame(page)), ...(await nextConsent()) };
    const popupTimes = { ...(await loginThroughPopup(page)), ...(await nextConsent()) };
    if (run > 0) {
      samples.frame.push(frameTimes);
      samples.popup.push(popupTimes);
    }
  }
  const phases = [
    ['request posted → success received', (t) => t.answeredAt - t.postedAt],
    ['request posted → consent screen shown', (t) => t.shownAt - t.postedAt],
    ['Continue clicked → success received', (t) => t.answeredAt - t.clickedAt],
  ];
  const rows = [];
  for (const [mode, times] of [
    ['iframe', samples.frame],
    ['popup (auth-client)', samples.popup],
  ]) {
    for (const [phase, duration] of phases) rows.push({ mode, phase, ...summary(times.map(duration)) });
  }
  rows.push({
    mode: 'popup (auth-client)',
    phase: 'auth-client login() → success received',
    ...summary(samples.popup.map((t) => t.answeredAt - t.loginClickedAt)),
  });
  await page.close();
  return rows;
}
