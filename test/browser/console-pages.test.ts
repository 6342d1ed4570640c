import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, expectNoHorizontalScroll } from '../helpers/browser-checks';
import { buildEvidencePackage } from '../../src/claims/claims.evidence';
import { claims, shipments } from '../../src/db/schema';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import { selectClaimRule } from '../../workflows/claim.eligibility';
import { CLAIM_RULES } from '../../workflows/claim.rules';
import { DEFAULT_POLICY } from '../../workflows/policy';
import type { ShipmentRegistration, ShipmentState } from '../../workflows/shipment.contract';
import { startApi, type ApiUnderTest } from '../api/harness';
import { aRegistration, uniqueId } from '../helpers/factories';

/**
 * The console's shipment, claim and analytics pages in Debian's Chromium, on read-model rows this
 * file writes (no worker: a shipment answers from its snapshot), with axe-core on every page.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DAY = 86_400_000;

let api: ApiUnderTest;
let context: BrowserContext;
let page: Page;
let profile: string;
const carrier = uniqueId('pages-post');
let original: ShipmentRegistration;
let pendingClaim: number;
let filedClaim: number;

async function logIn(key: string) {
  await page.goto(`${api.url}/console`);
  await page.getByLabel('API key (role ops or admin)').fill(key);
  await page.getByLabel('Your name (recorded with every decision)').fill('Olga Ops');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

async function aShipment(
  overrides: Partial<ShipmentRegistration>,
  row: Partial<Parameters<typeof shipmentRow>[1]> = {},
) {
  const reg = aRegistration({ carrier, ...overrides });
  await api.db.insert(shipments).values(shipmentRow(reg, row));
  return reg;
}

async function aClaim(reg: ShipmentRegistration, status: string, eligibleInDays: number) {
  const rule = selectClaimRule(CLAIM_RULES, carrier, false);
  const ready = eligibleInDays <= 0;
  const [row] = await api.db
    .insert(claims)
    .values({
      idempotencyKey: `claim:${reg.shipmentId}:open`,
      workflowId: `claim:${reg.shipmentId}`,
      shipmentId: reg.shipmentId,
      carrier,
      trackingNumber: reg.trackingNumber,
      reason: 'lost',
      status,
      amount: 19.9,
      currency: 'USD',
      claimId: ready ? 'CARRIER-CLM-9' : null,
      evidence: ready
        ? await buildEvidencePackage(api.db, {
            shipmentId: reg.shipmentId,
            filer: carrier,
            rule,
            reason: 'lost',
            amountClaimed: 19.9,
            currency: 'USD',
            preparedAt: new Date(),
          })
        : {},
      eligibleAt: new Date(Date.now() + eligibleInDays * DAY),
      warnAt: new Date(Date.now() + 20 * DAY),
      windowClosesAt: new Date(Date.now() + 30 * DAY),
    })
    .returning({ id: claims.id });
  return row!.id;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: set CHROMIUM_PATH.`);
  if (!existsSync(path.resolve('dist/console/index.html'))) {
    throw new Error('No built console in dist/console: run npm run console:build.');
  }
  api = await startApi({ queryTimeoutMs: 500 });

  // A lost parcel, reshipped, with a claim still in its waiting period.
  original = await aShipment(
    { items: [{ sku: 'SKU-MUG', quantity: 2, unitPrice: 9.95, title: 'Blue mug' }] },
    { stage: 'closed', resolution: 'reshipped' },
  );
  const replacement = await aShipment({
    shipmentId: `${original.shipmentId}~R1`,
    replacementOf: original.shipmentId,
  });
  const snapshot: ShipmentState = {
    shipmentId: original.shipmentId,
    stage: 'closed',
    resolution: 'reshipped',
    policy: DEFAULT_POLICY,
    registeredAt: '2026-11-02T10:00:00.000Z',
    eventCount: 1,
    deadlines: { stallAt: '2026-11-09T10:00:00.000Z' },
    thresholdFactor: 1,
    reviewRound: 1,
    suspicion: { reason: 'stalled', detectedAt: '2026-11-09T10:00:00.000Z' },
    reship: {
      shipmentId: replacement.shipmentId,
      workflowId: `shipment:${replacement.shipmentId}`,
      carrier,
      trackingNumber: replacement.trackingNumber,
      warehouseId: 'wh-1',
      labelId: 'lbl-1',
      reservationId: '1',
    },
    claim: {
      workflowId: `claim:${original.shipmentId}`,
      status: 'pending_eligibility',
      reason: 'lost',
      startedAt: '2026-11-10T10:00:00.000Z',
    },
    notifications: [],
    timeline: [
      { at: '2026-11-09T10:00:00.000Z', kind: 'stage', detail: 'awaiting_review' },
      { at: '2026-11-09T11:00:00.000Z', kind: 'reshipped', detail: 'ups 1Z999' },
    ],
  };
  await api.db
    .update(shipments)
    .set({ snapshot })
    .where(eq(shipments.shipmentId, original.shipmentId));
  pendingClaim = await aClaim(original, 'pending_eligibility', 5);

  // A filed claim whose evidence is ready.
  const filed = await aShipment({}, { stage: 'closed', resolution: 'refunded' });
  filedClaim = await aClaim(filed, 'filed', -2);

  profile = await mkdtemp(path.join(os.tmpdir(), 'pw-console-pages-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'en-GB',
    viewport: { width: 1366, height: 768 },
    acceptDownloads: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await context?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await api?.close();
});

describe.sequential('the shipment, claim and analytics pages', () => {
  it('a shipment page shows customer, address, items, timeline in plain words, and links to its replacement and claim', async () => {
    await logIn(api.keys.ops);
    await page.goto(`${api.url}/console#/shipment/${encodeURIComponent(original.shipmentId)}`);
    await page.getByRole('heading', { name: `Shipment ${original.shipmentId}` }).waitFor();
    const facts = await page.locator('main').textContent();
    expect(facts).toContain(original.customer.email);
    expect(facts).toContain('1 Market St');
    expect(facts).toContain('Blue mug');
    expect(facts).toContain('Replacement sent');
    expect(facts).toContain('Stage: awaiting review');
    // A closed shipment runs no clock: no stale stall deadline is shown.
    expect(facts).not.toContain('Counts as stalled at');
    await expectAccessible(page, 'the shipment page at 1366 px');

    await page.locator('#link-replacement').click();
    await page.getByRole('heading', { name: `Shipment ${original.shipmentId}~R1` }).waitFor();
    await page.locator('#link-original').click();
    await page.getByRole('heading', { name: `Shipment ${original.shipmentId}` }).waitFor();

    await page.locator('#link-claim').click();
    await page.getByRole('heading', { name: `Claim #${pendingClaim}` }).waitFor();
    expect(await page.locator('#claim-our-id').textContent()).toBe(String(pendingClaim));
    expect(await page.locator('#claim-carrier-number').textContent()).toBe('Not filed yet');
    // The claim guide of whoever it is filed with: how to file and what they ask for.
    expect(await page.locator('#claim-guide').textContent()).toMatch(/^How to claim with .+/);
    expect(await page.locator('#claim-guide-documents li').count()).toBeGreaterThan(0);
  });

  it('a claim in its waiting period says when it becomes eligible, with its evidence buttons disabled and why', async () => {
    expect(await page.locator('#claim-eligibility').textContent()).toContain(
      'Not eligible yet: the carrier takes the claim from',
    );
    expect(await page.locator('#evidence-pdf').isDisabled()).toBe(true);
    expect(await page.locator('#evidence-pdf').getAttribute('aria-describedby')).toBe(
      'evidence-why',
    );
    expect(await page.locator('#evidence-why').textContent()).toContain(
      'The evidence is built when the claim becomes eligible',
    );
    await expectAccessible(page, 'a claim not yet eligible');
  });

  it('a filed claim downloads its evidence and records an outcome from its form', async () => {
    await page.goto(`${api.url}/console#/claim/${filedClaim}`);
    await page.getByRole('heading', { name: `Claim #${filedClaim}` }).waitFor();
    expect(await page.locator('#claim-carrier-number').textContent()).toBe('CARRIER-CLM-9');
    expect(await page.locator('#claim-eligibility').textContent()).toContain('Eligible now');
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#evidence-pdf').click(),
    ]);
    expect(pdf.suggestedFilename()).toBe(`claim-${filedClaim}-evidence.pdf`);

    await page.locator('#outcome-status').selectOption('approved');
    await page.locator('#outcome-amount').fill('15');
    await page.locator('#outcome-note').fill('approved on the phone');
    await page.getByRole('button', { name: 'Record outcome' }).click();
    await page.getByText('Recorded: approved.').waitFor();
    const stored = await api.call('GET', `/v1/claims/${filedClaim}`, { as: 'ops' });
    expect(stored.body).toMatchObject({ status: 'approved', amounts: { recovered: 15 } });
    // Only "paid" can follow an approval.
    await expect
      .poll(() => page.locator('#outcome-status option').allTextContents())
      .toEqual(['paid']);
    await expectAccessible(page, 'a filed claim');
  });

  it('at 390 px the shipment and claim pages fit the window and stay accessible', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${api.url}/console#/shipment/${encodeURIComponent(original.shipmentId)}`);
    await page.getByRole('heading', { name: `Shipment ${original.shipmentId}` }).waitFor();
    await expectNoHorizontalScroll(page, 'the shipment page at 390 px');
    await expectAccessible(page, 'the shipment page at 390 px');
    await page.goto(`${api.url}/console#/claim/${pendingClaim}`);
    await page.getByRole('heading', { name: `Claim #${pendingClaim}` }).waitFor();
    await expectNoHorizontalScroll(page, 'the claim page at 390 px');
    await expectAccessible(page, 'the claim page at 390 px');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('an analyst sees the analytics chart with n on every bar, filters by carrier and lane, and exports the filtered shipments', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(api.keys.analyst);
    await page.goto(`${api.url}/console#/analytics`);
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor();
    await page.locator('#f-carrier').fill(carrier);
    await page.locator('#f-origin').fill('cn');
    await page.locator('#f-destination').fill('US');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(() => page.locator('#analytics-table tbody tr').allTextContents())
      .toEqual([`${carrier}100%2`]);
    // Three shipments of this carrier on CN → US; the loss rate stands on the two resolved ones.
    expect(await page.locator('#sample-size').textContent()).toContain(
      'Shipments in the selection: 3',
    );
    // ECharts drew on a canvas (no hand-written SVG).
    await page.locator('.share-chart canvas').waitFor();
    expect(await page.locator('.share-chart svg').count()).toBe(0);
    await expectAccessible(page, 'the analytics page at 1366 px');

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('#export-shipments').click(),
    ]);
    const text = readFileSync((await csv.path())!, 'utf8');
    const rows = text.trim().split('\r\n');
    expect(rows).toHaveLength(4);
    expect(rows.slice(1).every((r) => r.includes(carrier))).toBe(true);

    await page.setViewportSize({ width: 390, height: 844 });
    // The chart redraws for its narrower box once the browser has laid it out again.
    await expect
      .poll(() => page.evaluate<number>('document.documentElement.scrollWidth'))
      .toBeLessThanOrEqual(390);
    await expectNoHorizontalScroll(page, 'the analytics page at 390 px');
    await expectAccessible(page, 'the analytics page at 390 px');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('the analytics and claim pages read in Chinese', async () => {
    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('heading', { name: '数据分析', level: 1 }).waitFor();
    expect(await page.locator('#export-claims').textContent()).toBe('索赔（CSV）');
    await page.goto(`${api.url}/console#/claim/${pendingClaim}`);
    await page.getByRole('heading', { name: `索赔 #${pendingClaim}` }).waitFor();
    expect(await page.locator('#claim-eligibility').textContent()).toContain('尚不符合条件');
    await expectAccessible(page, 'the Chinese claim page');
    await page.getByLabel('语言').selectOption('en');
  });
});
