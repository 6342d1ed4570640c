import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, expectNoHorizontalScroll } from '../helpers/browser-checks';
import {
  trackingEventsSignal,
  type Policy,
  type ShipmentRegistration,
  type ShipmentState,
} from '../../workflows/shipment.contract';
import { serve, type ApiUnderTest } from '../api/harness';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, waitForStage, type ShipmentHandle } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/**
 * The ops console (src/console/app, built into dist/console) in Debian's Chromium
 * (scripts/install-chromium.sh), driven by playwright-core: the real API in-process, a worker
 * running the workflows, four shipments awaiting review, axe-core checking every page.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-results/screenshots');
const REVIEWER = 'Olga Ops';

let stack: TestStack;
let api: ApiUnderTest;
let context: BrowserContext;
let page: Page;
let profile: string;
let policy: Policy;
/** Four shipments in review: [0] is undone then left, [1] decided alone, [2] and [3] as a batch. */
const shipments: { id: string; reg: ShipmentRegistration; handle: ShipmentHandle }[] = [];
/** Every review decision the browser sent, by shipment id. */
const sent: string[] = [];
/** How often the queue's poll was answered 304 (unchanged, no body). */
let unchanged = 0;

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);
const row = (id: string) => page.locator(`#queue-table tr[data-shipment="${id}"]`);
const shot = (name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Starts a shipment and waits until its stall put it in the review queue. */
async function inReview(overrides: Partial<ShipmentRegistration>) {
  const { reg, handle } = await startShipment(stack, policy, overrides);
  await handle.signal(trackingEventsSignal, [
    anEvent('in_transit', secondsAgo(5), { description: 'Departed origin hub' }),
  ]);
  await waitForStage(handle, 'awaiting_review', 90_000);
  return { id: reg.shipmentId, reg, handle };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: run scripts/install-chromium.sh (as root) or set CHROMIUM_PATH.`,
    );
  }
  if (!existsSync(path.resolve('dist/console/index.html'))) {
    throw new Error('No built console in dist/console: run npm run console:build.');
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  stack = await startTestStack({ ownDatabase: true });
  api = await serve({
    db: stack.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    temporalUiUrl: 'http://temporal-ui.test:8233',
  });
  // Stalls in seconds, a review SLA far beyond the test: the queue waits for the reviewer.
  policy = aFastPolicy(uniqueId('console'), { reviewSla: 'PT30M' });
  const made = await Promise.all(
    [
      { declaredValue: 24, country: 'US' },
      { declaredValue: 31.5, country: 'US' },
      { declaredValue: 18, country: 'DE' },
      { declaredValue: 120, country: 'DE' },
    ].map(({ declaredValue, country }) =>
      inReview({
        declaredValue,
        currency: 'EUR',
        destination: {
          country,
          name: 'Ada Buyer',
          line1: '1 Market St',
          city: country === 'DE' ? 'Berlin' : 'San Francisco',
          postalCode: country === 'DE' ? '10115' : '94105',
          ...(country === 'US' ? { region: 'CA' } : {}),
        },
      }),
    ),
  );
  shipments.push(...made);
  await waitUntil(
    'all four in the review queue',
    () => api.call('GET', '/v1/reviews?limit=200', { as: 'ops' }),
    (res) =>
      shipments.every((s) =>
        (res.body.items as { shipmentId: string }[]).some((i) => i.shipmentId === s.id),
      ),
    60_000,
  );

  profile = await mkdtemp(path.join(os.tmpdir(), 'pw-console-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'en-GB',
    viewport: { width: 1366, height: 768 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
  page.on('request', (r: Request) => {
    const m = /\/v1\/shipments\/([^/]+)\/review$/.exec(new URL(r.url()).pathname);
    if (r.method() === 'POST' && m) sent.push(decodeURIComponent(m[1]!));
  });
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/v1/reviews' && r.status() === 304) unchanged++;
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await api?.close();
  await stack?.stop();
});

/** Waits until the workflow took the reviewer's decision and left the review. */
function decided(handle: ShipmentHandle, decision: string): Promise<ShipmentState> {
  return waitUntil(
    `${handle.workflowId} to take ${decision}`,
    () => stateOf(handle),
    (s) =>
      s.stage !== 'awaiting_review' &&
      s.review?.decision === decision &&
      s.review.reviewer === REVIEWER,
    60_000,
  );
}

async function logIn(key: string) {
  await page.getByLabel('API key (role ops or admin)').fill(key);
  await page.getByLabel('Your name (recorded with every decision)').fill(REVIEWER);
  await page.getByRole('button', { name: 'Log in' }).click();
}

const focusedRow = () =>
  page.evaluate<string | null | undefined>(
    "document.activeElement?.closest('tr')?.getAttribute('data-shipment')",
  );

// One browser session, told in order: each step starts where the previous one left the console.
describe.sequential('the ops console in a browser', () => {
  it('refuses a wrong key with a clear message, then logs in an ops reviewer to the queue, oldest first', async () => {
    await page.goto(`${api.url}/console`);
    await logIn('not-a-real-key');
    await expect
      .poll(() => page.locator('#login-error').textContent())
      .toContain('That API key is not valid');
    await expectAccessible(page, 'the log-in page');

    await logIn(api.keys.ops);
    await page.waitForSelector('#queue-table tbody tr[data-shipment]');
    for (const s of shipments) await row(s.id).waitFor();
    await expect.poll(() => page.locator('#who').textContent()).toBe(`Deciding as ${REVIEWER}`);

    // The queue shows what a reviewer needs per row; money and times through Intl.
    const big = row(shipments[3]!.id);
    expect(await big.locator('td.num').textContent()).toBe('€120.00');
    expect(await big.locator('td').nth(2).textContent()).toBe('stalled');
    expect(await big.locator('td').nth(6).textContent()).toBe('Yanwen');
    expect(await big.locator('td').nth(7).textContent()).toBe('DE');
    await expect.poll(() => big.locator('td.sla').textContent()).toMatch(/^\d+m( \d+s)? left$/);
    const order = await page
      .locator('#queue-table tbody tr[data-shipment]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shipment')));
    const listed = await api.call('GET', '/v1/reviews?limit=200', { as: 'ops' });
    expect(order).toEqual((listed.body.items as { shipmentId: string }[]).map((i) => i.shipmentId));
    // The evidence of the current row (the first) is shown beside the queue.
    await expect
      .poll(() => page.locator('#evidence').textContent())
      .toContain('Departed origin hub');
    await expectAccessible(page, 'the review queue at 1366 px');
    await shot('01-review-queue');
  });

  it('keeps a decided row in place, marked, and sends nothing when the decision is undone', async () => {
    const [undone, next] = [shipments[0]!, shipments[1]!];
    const order = await page
      .locator('#queue-table tbody tr[data-shipment]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shipment')));
    await row(undone.id)
      .getByRole('button', { name: `Refund ${undone.id}` })
      .click();
    // Held for the undo window: the row stays where it was, marked, and focus moved on.
    await expect.poll(() => row(undone.id).textContent()).toContain('Refund: sending in a moment');
    expect(await row(undone.id).getAttribute('class')).toContain('decided');
    const rowsNow = await page
      .locator('#queue-table tbody tr[data-shipment]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shipment')));
    expect(rowsNow).toEqual(order);
    const after = order[order.indexOf(undone.id) + 1];
    expect(await focusedRow()).toBe(after);

    await row(undone.id)
      .getByRole('button', { name: `Undo Refund for ${undone.id}` })
      .click();
    await row(undone.id)
      .getByRole('button', { name: `Refund ${undone.id}` })
      .waitFor();
    await expect.poll(() => page.locator('#status').textContent()).toContain('undone');

    // Another decision, with a note, from the keyboard: sent once its own window is over, which
    // is after the undone one would have been sent. Only it reaches the API.
    await row(next.id).focus();
    await page.keyboard.press('n');
    await page
      .getByLabel(`Note for ${next.id} (sent with the decision)`)
      .fill('Customer called twice');
    await row(next.id).focus();
    await page.keyboard.press('f');
    await expect
      .poll(() => row(next.id).textContent(), { timeout: 30_000 })
      .toContain('Refund taken');
    const state = await decided(next.handle, 'refund');
    expect(state.review?.note).toBe('Customer called twice');
    expect(sent).toEqual([next.id]);
    expect((await stateOf(undone.handle)).stage).toBe('awaiting_review');
    // The decided row stays until the next refresh, which takes it out.
    expect(await row(next.id).count()).toBe(1);
    await shot('02-decided-row-stays');
    await page.keyboard.press('g');
    await row(next.id).waitFor({ state: 'detached' });
    await row(undone.id).waitFor();
  });

  it('asks for confirmation with the count before a batch, then decides the two selected shipments', async () => {
    const two = [shipments[2]!, shipments[3]!];
    await page.getByLabel(`Select ${two[0]!.id}`).check();
    // The second by keyboard: move to its row and select it with x.
    await row(two[1]!.id).focus();
    await page.keyboard.press('x');
    await expect.poll(() => page.locator('#selected-count').textContent()).toBe('2 selected');

    // Shift+D asks first; cancelling sends nothing.
    await page.keyboard.press('Shift+D');
    const dialog = page.getByRole('dialog', { name: 'Mark delivered 2 shipments?' });
    await dialog.waitFor();
    await expectAccessible(page, 'the batch confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Mark delivered selected' }).click();
    await dialog.getByRole('button', { name: 'Mark delivered 2 shipments' }).click();
    await expect
      .poll(() => page.locator('#batch-text').textContent(), { timeout: 90_000 })
      .toBe('Mark delivered: batch finished, 2 of 2 decided.');
    expect(await page.locator('#batch-progress').getAttribute('value')).toBe('2');
    for (const s of two) await expect.poll(() => row(s.id).textContent()).toContain('taken');
    await shot('03-batch-finished');
    const states = await Promise.all(two.map((s) => decided(s.handle, 'mark_delivered')));
    expect(states.map((s) => s.review?.decision)).toEqual(['mark_delivered', 'mark_delivered']);
  });

  it('shows a new review without reloading the page', async () => {
    const fresh = await inReview({ declaredValue: 77, currency: 'EUR' });
    shipments.push(fresh);
    await row(fresh.id).waitFor({ timeout: 60_000 });
    expect(await row(fresh.id).textContent()).toContain('New');
    // Polled with the change token: an unchanged queue comes back as a bodiless 304.
    await expect.poll(() => unchanged, { timeout: 30_000 }).toBeGreaterThan(0);
  }, 150_000);

  it('filters the queue, keeps the filter as a saved view and applies it again after a reload', async () => {
    await page.keyboard.press('g');
    await page.getByLabel('Value at least').fill('50');
    await page.getByLabel('Lane (destination)').selectOption('US');
    await expect
      .poll(() =>
        page
          .locator('#queue-table tbody tr[data-shipment]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shipment'))),
      )
      .toEqual([shipments[4]!.id]);
    await page.getByLabel('Name of the view').fill('Big US parcels');
    await page.getByRole('button', { name: 'Save view' }).click();

    await page.reload();
    await row(shipments[0]!.id).waitFor();
    await page.getByLabel('Saved view').selectOption('Big US parcels');
    await expect
      .poll(() =>
        page
          .locator('#queue-table tbody tr[data-shipment]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shipment'))),
      )
      .toEqual([shipments[4]!.id]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await row(shipments[0]!.id).waitFor();
  });

  it('finds a shipment by its order number and by the customer’s e-mail', async () => {
    const target = shipments[0]!;
    for (const term of [target.reg.orderId, target.reg.customer.email]) {
      const box = page.getByRole('searchbox', { name: 'Search shipments' });
      await box.fill(term);
      await box.press('Enter');
      const hit = page.locator(`#search-results tr[data-shipment="${target.id}"]`);
      await hit.waitFor();
      expect(await page.locator('#search-results tbody tr').count()).toBe(1);
    }
    await expectAccessible(page, 'the search results');
  });

  it('opens a shipment’s page with its timeline, decision, workflow history and a Temporal UI link', async () => {
    const target = shipments[1]!;
    await page.goto(`${api.url}/console#/shipment/${encodeURIComponent(target.id)}`);
    await page.getByRole('heading', { name: `Shipment ${target.id}` }).waitFor();
    const timeline = page.getByRole('table', { name: /Tracking events, stage changes/ });
    await expect.poll(() => timeline.textContent()).toContain('Departed origin hub');
    const history = page.getByRole('table', { name: /from its event history/ });
    await expect.poll(() => history.textContent()).toContain(REVIEWER);
    expect(await page.locator('#temporal-link').getAttribute('href')).toContain(
      encodeURIComponent(target.handle.workflowId),
    );
    await expectAccessible(page, 'the shipment page');
    await shot('04-shipment');

    // With payloads decoded: a codec session cookie for /codec first, then the UI in a new tab.
    await context.route('http://temporal-ui.test:8233/**', (r) =>
      r.fulfill({ contentType: 'text/html', body: '<title>Temporal UI</title>' }),
    );
    const [ui] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Open Temporal UI with payloads decoded' }).click(),
    ]);
    await ui.waitForURL((u) => u.href.includes(encodeURIComponent(target.handle.workflowId)));
    const cookies = await context.cookies(`${api.url}/codec/decode`);
    expect(cookies.find((c) => c.name === 'parcelwarden_codec')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
      path: '/codec',
    });
    await ui.close();
  });

  it('fits a 360 and a 390 px phone without sideways scrolling, and stays accessible there', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${api.url}/console#/queue`);
    await row(shipments[0]!.id).waitFor();
    await expectNoHorizontalScroll(page, 'the queue at 360 px');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoHorizontalScroll(page, 'the queue at 390 px');
    await expectAccessible(page, 'the review queue at 390 px');
    await shot('05-queue-390');
    await page.goto(`${api.url}/console#/shipment/${encodeURIComponent(shipments[1]!.id)}`);
    await page.getByRole('heading', { name: `Shipment ${shipments[1]!.id}` }).waitFor();
    await expectNoHorizontalScroll(page, 'the shipment page at 390 px');
    await page.goto(`${api.url}/console#/search/${encodeURIComponent(shipments[0]!.reg.orderId)}`);
    await page.locator('#search-results tbody tr').first().waitFor();
    await expectNoHorizontalScroll(page, 'the search results at 390 px');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('switches to Chinese, formats in Chinese and remembers the choice', async () => {
    await page.goto(`${api.url}/console#/queue`);
    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('heading', { name: /审核队列/ }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    const r = row(shipments[0]!.id);
    expect(await r.locator('td').nth(2).textContent()).toBe('停滞');
    await expect.poll(() => r.locator('td.sla').textContent()).toMatch(/^剩余 /);
    await expectAccessible(page, 'the Chinese queue');
    await shot('06-chinese');
    await page.reload();
    await page.getByRole('heading', { name: /审核队列/ }).waitFor();
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('heading', { name: /Review queue/ }).waitFor();
  });

  it('shows an analyst the queue without any decision button', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(api.keys.analyst);
    await row(shipments[0]!.id).waitFor();
    await page.getByText('Your key may read the queue but not decide').waitFor();
    expect(await page.locator('#queue-table button').count()).toBe(0);
    expect(await page.locator('#queue-table input[type=checkbox]').count()).toBe(0);
    expect(await page.locator('#batch-bar button').allTextContents()).toEqual(['Refresh']);
    // The decision keys do nothing either.
    await row(shipments[0]!.id).focus();
    await page.keyboard.press('f');
    expect(await row(shipments[0]!.id).getAttribute('class')).not.toContain('decided');
    expect(sent).not.toContain(shipments[0]!.id);
  });

  it('is served from our own origin only, under a strict content security policy', async () => {
    const res = await fetch(`${api.url}/console`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const a of assets) {
      const text = await fetch(api.url + a).then((r) => r.text());
      expect(text).not.toMatch(/(src|href)="https?:|@import|url\(http/);
    }
    // API data only ever becomes text: no component sets markup from strings.
    const sources = await readdir(path.resolve('src/console/app/src'), { recursive: true });
    for (const file of sources.filter((f) => f.endsWith('.tsx'))) {
      const text = await readFile(path.resolve('src/console/app/src', file), 'utf8');
      expect(text, file).not.toMatch(/dangerouslySetInnerHTML|innerHTML/);
    }
  });
});
