// Signing up while registrations are busy: the identity manager gives one
// free registration here, then asks for a proof of work; the second person
// still signs up on the wallet page, sees that the browser is doing a short
// check, and gets the next account number.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Actor, HttpAgent } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';

import { startEnvironment } from './harness.mjs';

const DAY_NS = 86_400n * 1_000_000_000n;
/** About 260,000 hashes: long enough for the progress to show. */
const DIFFICULTY = 18;

function initArgHex() {
  const RateLimit = IDL.Record({ capacity: IDL.Nat64, refill_period_ns: IDL.Nat64 });
  const InitArgs = IDL.Record({
    base_account_number: IDL.Opt(IDL.Nat64),
    registration_rate_limit: IDL.Opt(RateLimit),
    registration_proof_of_work_difficulty: IDL.Opt(IDL.Nat8),
  });
  const args = {
    base_account_number: [],
    registration_rate_limit: [{ capacity: 1n, refill_period_ns: DAY_NS }],
    registration_proof_of_work_difficulty: [DIFFICULTY],
  };
  return Buffer.from(IDL.encode([IDL.Opt(InitArgs)], [[args]])).toString('hex');
}

let env;

/** What the identity manager says a registration needs now. */
async function requirement() {
  const agent = await HttpAgent.create({ host: env.net.url, shouldFetchRootKey: true });
  const Requirement = IDL.Record({ proof_of_work_difficulty: IDL.Opt(IDL.Nat8), time: IDL.Nat64 });
  const service = ({ IDL }) =>
    IDL.Service({
      registration_requirement: IDL.Func(
        [IDL.Record({})],
        [IDL.Variant({ Ok: Requirement, Err: IDL.Reserved })],
        ['query'],
      ),
    });
  const actor = Actor.createActor(service, { agent, canisterId: env.net.ids.identity_manager });
  const reply = await actor.registration_requirement({});
  return reply.Ok.proof_of_work_difficulty[0] ?? null;
}

before(async () => {
  env = await startEnvironment({ identityManagerInitHex: initArgHex() });
});

after(async () => {
  await env?.stop();
});

/** Signs up on a fresh wallet tab; returns the account number and every status text shown on the way. */
async function signUp() {
  const page = await env.browser.open(`${env.sites.sigilUrl}/`);
  await page.locator('[data-screen=wallet-signed-out]').waitFor();
  await page.evaluate(() => {
    window.statusTexts = [];
    new MutationObserver(() => {
      for (const status of document.querySelectorAll('[role=status]')) window.statusTexts.push(status.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole('button', { name: 'Create a passkey' }).click();
  await page.locator('[data-screen=wallet] [data-account]').waitFor({ timeout: 120_000 });
  const account = Number(await page.locator('[data-account]').getAttribute('data-account'));
  const texts = await page.evaluate(() => window.statusTexts);
  return { page, account, texts };
}

test('a person signs up while registrations need a proof of work', async () => {
  assert.equal(await requirement(), null, 'the first registration is free');
  const first = await signUp();
  assert.ok(
    !first.texts.some((text) => /short check/.test(text)),
    `the free registration needs no work: ${first.texts}`,
  );
  await first.page.getByRole('button', { name: 'Sign out' }).click();
  await first.page.locator('[data-screen=wallet-signed-out]').waitFor();
  await first.page.close();
  assert.equal(await requirement(), DIFFICULTY, 'the next one needs work');

  const started = Date.now();
  const second = await signUp();
  const seconds = (Date.now() - started) / 1000;
  assert.equal(second.account, first.account + 1);
  assert.ok(
    second.texts.some((text) => /short check/.test(text)),
    `the page said it was working: ${second.texts}`,
  );
  await env.browser.screenshot(second.page, 'wallet-signed-up-with-work');
  console.log(`sign-up with ${DIFFICULTY} bits of work: ${seconds.toFixed(1)} s`);
});
