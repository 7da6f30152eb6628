// The /#authorize screens at the narrowest supported width (360 px), used
// with the keyboard only: Tab reaches every action and Enter takes it, from
// the sign-in choice to the delegation arriving at the dapp.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { loginResult, loginThroughPopup, openDapp } from './dapp.mjs';
import { startEnvironment } from './harness.mjs';
import { assertEveryControlTabbable, assertNoSidewaysScroll } from './layout.mjs';

let env;

before(async () => {
  env = await startEnvironment();
});

after(async () => {
  await env?.stop();
});

/** Focuses the button named `name` with Tab presses only, then presses Enter. */
async function tabToAndPress(page, name) {
  await page.evaluate(() => document.activeElement?.blur());
  for (let step = 0; step < 20; step += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.textContent.trim());
    if (focused === name) return page.keyboard.press('Enter');
  }
  assert.fail(`Tab never reaches “${name}”`);
}

test('a person signs up and approves at 360 px with the keyboard only', async () => {
  const page = await openDapp(env);
  const popup = await loginThroughPopup(env, page);
  await popup.setViewportSize({ width: 360, height: 640 });

  await popup.locator('[data-screen=request]').waitFor();
  await assertNoSidewaysScroll(popup);
  await assertEveryControlTabbable(popup);
  await env.browser.screenshot(popup, 'authorize-request-360px');
  await tabToAndPress(popup, 'Create a passkey');

  await popup.locator('[data-screen=consent]').waitFor({ timeout: 60_000 });
  await assertNoSidewaysScroll(popup);
  await assertEveryControlTabbable(popup);
  await env.browser.screenshot(popup, 'authorize-consent-360px');
  const shown = await popup.locator('[data-principal]').getAttribute('data-principal');
  await tabToAndPress(popup, 'Continue');

  const result = await loginResult(page);
  assert.equal(result.status, 'success', result.text);
  assert.equal(result.principal, shown);
});
