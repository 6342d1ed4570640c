/**
 * Checks the browser tests run in a page. The page-side code is passed as text: the tests are
 * type-checked with Node's typings only (DOM typings in the server's program would change how
 * Node's own fetch and Buffer types read).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate<string[]>(`(async () => {
    const result = await window.axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', '));
  })()`);
  expect(violations, `axe-core on ${where}`).toEqual([]);
}

/** The page does not scroll sideways: nothing is wider than the window. */
export async function expectNoHorizontalScroll(page: Page, where: string): Promise<void> {
  const { scroll, width } = await page.evaluate<{ scroll: number; width: number }>(
    '({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })',
  );
  expect(scroll, `${where}: content ${scroll}px in a ${width}px window`).toBeLessThanOrEqual(width);
}
