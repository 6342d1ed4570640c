import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingEventsSignal, type ShipmentState } from '../../workflows/shipment.contract';
import { serve, type ApiUnderTest } from '../api/harness';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, waitForStage, type ShipmentHandle } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/**
 * The ops console in Debian's Chromium (scripts/install-chromium.sh), driven by playwright-core:
 * the real API in-process, a worker running the workflows, four shipments awaiting review.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-results/screenshots');
const REVIEWER = 'Olga Ops';

let stack: TestStack;
let api: ApiUnderTest;
let context: BrowserContext;
let page: Page;
let profile: string;
const shipments: { id: string; handle: ShipmentHandle }[] = [];

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);
const row = (id: string) => page.locator(`#queue-table tr[data-shipment="${id}"]`);
const shot = (name: string) =>
  page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: run scripts/install-chromium.sh (as root) or set CHROMIUM_PATH.`,
    );
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
  const policy = aFastPolicy(uniqueId('console'), { reviewSla: 'PT30M' });
  const started = await Promise.all(
    [24, 31.5, 18, 120].map((value) =>
      startShipment(stack, policy, { declaredValue: value, currency: 'EUR' }),
    ),
  );
  for (const { reg, handle } of started) {
    shipments.push({ id: reg.shipmentId, handle });
    await handle.signal(trackingEventsSignal, [
      anEvent('in_transit', secondsAgo(5), { description: 'Departed origin hub' }),
    ]);
  }
  await Promise.all(started.map(({ handle }) => waitForStage(handle, 'awaiting_review', 90_000)));
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

// One browser session, told in order: each step starts where the previous one left the console.
describe.sequential('the ops console in a browser', () => {
  it('refuses a wrong key with a clear message, then logs in an ops reviewer to the queue, oldest first', async () => {
    await page.goto(`${api.url}/console`);
    await logIn('not-a-real-key');
    await expect
      .poll(() => page.locator('#login-error').textContent())
      .toContain('That API key is not valid');

    await logIn(api.keys.ops);
    await page.waitForSelector('#queue-table tbody tr[data-shipment]');
    for (const s of shipments) await row(s.id).waitFor();
    await expect.poll(() => page.locator('#who').textContent()).toBe(`Deciding as ${REVIEWER}`);

    // The queue shows what a reviewer needs per row, oldest suspicion first.
    const first = row(shipments[3]!.id);
    await expect.poll(() => first.locator('td').nth(5).textContent()).toBe('€120.00');
    expect(await first.locator('td').nth(2).textContent()).toBe('stalled');
    // The carrier by its display name from the catalogue.
    expect(await first.locator('td').nth(6).textContent()).toBe('Yanwen');
    expect(await first.locator('td').nth(7).textContent()).toBe('US');
    await expect.poll(() => first.locator('td.sla').textContent()).toMatch(/^\d+m \d+s left$/);
    const order = await page
      .locator('#queue-table tbody tr[data-shipment]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-shipment')));
    const detected = await api.call('GET', '/v1/reviews?limit=200', { as: 'ops' });
    expect(order).toEqual(
      (detected.body.items as { shipmentId: string }[]).map((i) => i.shipmentId),
    );
    // The evidence of the current row (the first) is shown beside the queue.
    await expect
      .poll(() => page.locator('#evidence').textContent())
      .toContain('Departed origin hub');
    await shot('01-review-queue');
  });

  it('refunds one shipment with one click: it leaves the queue and its workflow moves on', async () => {
    const target = shipments[0]!;
    await row(target.id)
      .getByRole('button', { name: `Refund ${target.id}` })
      .click();
    await row(target.id).waitFor({ state: 'detached' });
    await expect
      .poll(() => page.locator('#status').textContent())
      .toContain(`${target.id}: refund taken`);

    const state = await decided(target.handle, 'refund');
    expect(state.review?.round).toBe(1);
    // Reloaded from the API, the queue no longer holds it; the others wait on.
    await page.keyboard.press('g');
    await row(shipments[1]!.id).waitFor();
    expect(await row(target.id).count()).toBe(0);
    await shot('02-after-one-click-refund');
  });

  it('batch-decides three selected shipments with visible progress until all three are decided', async () => {
    const three = shipments.slice(1);
    await page.getByLabel(`Select ${three[0]!.id}`).check();
    await page.getByLabel(`Select ${three[1]!.id}`).check();
    // The third by keyboard: move to its row (j/k) and select it with x.
    await row(three[2]!.id).focus();
    await page.keyboard.press('x');
    await expect.poll(() => page.locator('#selected-count').textContent()).toBe('3 selected');

    await page.getByRole('button', { name: 'Mark delivered selected' }).click();
    await page.locator('#batch-progress').waitFor({ state: 'visible' });
    await expect
      .poll(() => page.locator('#batch-text').textContent(), { timeout: 90_000 })
      .toBe('Mark delivered: batch finished, 3 of 3 decided.');
    expect(await page.locator('#batch-progress').getAttribute('value')).toBe('3');
    await shot('03-batch-finished');

    for (const s of three) await row(s.id).waitFor({ state: 'detached' });
    const states = await Promise.all(three.map((s) => decided(s.handle, 'mark_delivered')));
    expect(states.map((s) => s.review?.decision)).toEqual(Array(3).fill('mark_delivered'));
  });

  it('opens a shipment’s full timeline with the decision, the workflow history and a Temporal UI link', async () => {
    const target = shipments[0]!;
    await page.goto(`${api.url}/console#/shipment/${encodeURIComponent(target.id)}`);
    await page.getByRole('heading', { name: `Shipment ${target.id}` }).waitFor();
    const timeline = page.getByRole('table', { name: /Tracking events, stage changes/ });
    await expect.poll(() => timeline.textContent()).toContain('Departed origin hub');
    expect(await timeline.textContent()).toContain('review decision');
    const history = page.getByRole('table', { name: /from its event history/ });
    await expect.poll(() => history.textContent()).toContain(REVIEWER);
    expect(await page.locator('#temporal-link').getAttribute('href')).toContain(
      encodeURIComponent(target.handle.workflowId),
    );
    await shot('04-shipment-timeline');

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

  it('shows analytics charts as SVG with bars to a key that may read them', async () => {
    await page.goto(`${api.url}/console#/analytics`);
    await expect
      .poll(() => page.locator('#view').textContent())
      .toContain('Analytics need a key of role analyst or admin');

    // The refunded parcel counts as lost once its workflow closed it in the read model.
    const refunded = await waitForStage(shipments[0]!.handle, 'closed', 60_000);
    expect(refunded.resolution).toBe('refunded');
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(api.keys.admin);
    const bar = page.locator('#chart-carriers svg rect.bar[data-label="yanwen"]');
    await bar.waitFor();
    expect(Number(await bar.getAttribute('data-value'))).toBeGreaterThan(0);
    expect(await page.locator('#chart-carriers svg title').first().textContent()).toMatch(
      /per carrier/,
    );
    await shot('05-analytics');
  });

  it('lists claims with their deadlines and amounts, and the failing messages', async () => {
    const target = shipments[0]!;
    await page.getByRole('link', { name: 'Claims' }).click();
    const claim = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: target.id }) });
    await claim.waitFor();
    expect(await claim.textContent()).toContain('lost');
    expect(await claim.textContent()).toContain('€24.00');
    const headers = await page.getByRole('columnheader').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['Status', 'Claimed', 'Window closes']));
    await shot('06-claims');

    await page.getByRole('link', { name: 'Failing messages' }).click();
    await page.getByRole('heading', { name: 'Failing messages' }).waitFor();
    await page.getByRole('cell', { name: 'No failing messages.' }).waitFor();
  });

  it('is served from our own origin only, under a strict content security policy', async () => {
    const res = await fetch(`${api.url}/console`);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const assets = await Promise.all(
      ['/console', '/console/console.js', '/console/console.css'].map((p) =>
        fetch(api.url + p).then((r) => r.text()),
      ),
    );
    for (const text of assets) expect(text).not.toMatch(/(src|href)="https?:|@import|url\(http/);
    // No markup is built from strings in the script: API data only ever becomes text.
    expect(assets[1]).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });
});
