// Layout and keyboard checks shared by the browser tests.
import assert from 'node:assert/strict';

/** Fails if `page` scrolls sideways at its current width. */
export async function assertNoSidewaysScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  const { width } = page.viewportSize();
  assert.ok(overflow <= 0, `${overflow} px of sideways scrolling at ${width} px`);
}

/**
 * Fails unless pressing Tab from the top of `page` reaches every enabled
 * link, button and input shown on it (a closed `<details>` hides its
 * controls behind its summary). Controls are told apart by their text,
 * else their role or type.
 */
export async function assertEveryControlTabbable(page) {
  const controls = await page.evaluate(() =>
    [...document.querySelectorAll('a[href], button:not([disabled]), input:not([disabled])')]
      .filter((element) => element.checkVisibility())
      .map((element) => element.textContent.trim() || element.getAttribute('role') || element.type),
  );
  assert.ok(controls.length > 0, 'the page has controls');
  // Every stop Tab may make on the way (summaries and text areas too).
  const stops = await page.evaluate(
    () => document.querySelectorAll('a[href], button, input, textarea, select, summary, [tabindex]').length,
  );
  await page.evaluate(() => document.activeElement?.blur());
  const reached = new Set();
  for (let step = 0; step < stops + 5; step += 1) {
    await page.keyboard.press('Tab');
    reached.add(
      await page.evaluate(() => {
        const element = document.activeElement;
        return element.textContent.trim() || element.getAttribute('role') || element.type;
      }),
    );
  }
  for (const control of controls) assert.ok(reached.has(control), `Tab never reaches “${control}”`);
}
