// How Sigil reads a derivation origin's /.well-known/ii-alternative-origins,
// against real servers on loopback: a `.raw` canister origin is asked
// through its certified domain (HTTPS, reached through Chromium's host
// resolver rules), and a server that stalls, or streams a 1 MiB body without
// Content-Length, ends in authorize-client-failure within the fetch's
// timeout, in words that say what happened.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { failureOn, requestInFrame } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { hostRules, listing, serveOrigins } from './origin-server.mjs';

const CANISTER = 'bkyz2-fmaaa-aaaaa-qaaaq-cai';
/** ALTERNATIVE_ORIGINS_TIMEOUT_MILLIS in app/src/authorize/origin.rs. */
const TIMEOUT_MS = 5_000;
const MIB = 1024 * 1024;

let env;
let canisters;
let local;
/** What the `huge` host managed to send before the reader went away. */
let hugeSent = { bytes: 0, closedEarly: false };
/** Responses held open by the stalling hosts, ended when the tests are over. */
const stalled = [];

before(async () => {
  // Filled in once the dapp's origin is known.
  const dapp = { origins: [] };
  canisters = await serveOrigins({
    tls: ['*.icp0.io', '*.raw.icp0.io'],
    hosts: {
      [`${CANISTER}.icp0.io`]: (request, response) => listing(dapp.origins)(request, response),
      // What a raw domain serves is not certified: it must never be asked.
      [`${CANISTER}.raw.icp0.io`]: listing([]),
    },
  });
  local = await serveOrigins({
    hosts: {
      // Accepts the request and never answers.
      'stall.localhost': (request, response) => stalled.push(response),
      // Answers, then stops in the middle of the body.
      'stall-body.localhost': (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        response.write('{"alternativeOrigins":[');
        stalled.push(response);
      },
      // 1 MiB of a document, chunked (no Content-Length), 64 KiB at a time.
      'huge.localhost': (request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
        response.on('close', () => (hugeSent.closedEarly = !response.writableFinished));
        const chunk = Buffer.alloc(64 * 1024, ' ');
        let sent = 0;
        const timer = setInterval(() => {
          if (response.destroyed || sent >= MIB) {
            clearInterval(timer);
            if (!response.destroyed) response.end();
            return;
          }
          response.write(chunk);
          sent += chunk.length;
          hugeSent.bytes = sent;
        }, 50);
      },
    },
  });
  env = await startEnvironment({
    browser: {
      args: [hostRules([['*.icp0.io', `127.0.0.1:${canisters.port}`]])],
      ignoreHTTPSErrors: true,
    },
  });
  dapp.origins = [env.sites.dappUrl];
});

after(async () => {
  for (const response of stalled) response.destroy();
  await env?.stop();
  await canisters?.stop();
  await local?.stop();
});

/** Sigil's failure to the dapp on `page`, and how long after `posted` it came. */
async function failureAfter(page, posted) {
  const failure = await failureOn(page, TIMEOUT_MS + 10_000);
  return { failure, elapsed: Date.now() - posted };
}

/** A request from the first dapp origin for `derivationOrigin`. */
function requestFor(derivationOrigin) {
  return requestInFrame(env, env.sites.dappUrl, { derivationOrigin });
}

test('a raw canister origin has its alternative origins read from its certified domain', async () => {
  const derivationOrigin = `https://${CANISTER}.raw.icp0.io`;
  const { page, frame } = await requestFor(derivationOrigin);
  const request = frame.locator('[data-screen=request]');
  await request.waitFor();
  assert.match(await request.textContent(), new RegExp(`as the identity you use at ${derivationOrigin.replaceAll('.', '\\.')}`));
  assert.deepEqual(
    canisters.requests.map(({ host, path }) => `${host}${path}`),
    [`${CANISTER}.icp0.io/.well-known/ii-alternative-origins`],
    'only the certified domain was asked',
  );
  await frame.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await failureOn(page)).text, 'The person cancelled the sign-in');
  await page.close();
});

for (const [host, what] of [
  ['stall.localhost', 'never answers'],
  ['stall-body.localhost', 'stops in the middle of the body'],
]) {
  test(`a derivation origin whose server ${what} ends in a failure after the timeout`, async () => {
    const { page, frame, posted } = await requestFor(`http://${host}:${local.port}`);
    const { failure, elapsed } = await failureAfter(page, posted);
    assert.match(
      failure.text,
      new RegExp(`^Invalid derivation origin: could not read http://${host}:\\d+/\\.well-known/ii-alternative-origins: the server did not answer within 5 seconds$`),
    );
    assert.ok(elapsed >= TIMEOUT_MS - 500, `the fetch was given its time (${elapsed} ms)`);
    assert.ok(elapsed < TIMEOUT_MS + 3_000, `the dapp heard within the timeout (${elapsed} ms)`);
    const refused = frame.locator('[data-screen=refused]');
    await refused.waitFor();
    assert.match(await refused.textContent(), /did not answer within 5 seconds/);
    await page.close();
  });
}

test('a 1 MiB alternative-origins body without Content-Length is cut off at the cap', async () => {
  const { page, frame, posted } = await requestFor(`http://huge.localhost:${local.port}`);
  const { failure, elapsed } = await failureAfter(page, posted);
  assert.match(
    failure.text,
    /^Invalid derivation origin: could not read http:\/\/huge\.localhost:\d+\/\.well-known\/ii-alternative-origins: the response is larger than 16384 bytes$/,
  );
  assert.ok(elapsed < TIMEOUT_MS, `refused as soon as the cap was passed (${elapsed} ms)`);
  await frame.locator('[data-screen=refused]').waitFor();
  // Sigil stopped reading: the server could not send the whole body.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.ok(hugeSent.closedEarly, 'the connection was closed before the body ended');
  assert.ok(hugeSent.bytes < MIB, `only ${hugeSent.bytes} of ${MIB} bytes were sent`);
  await page.close();
});
