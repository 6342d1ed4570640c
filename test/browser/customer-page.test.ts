import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, expectNoHorizontalScroll } from '../helpers/browser-checks';
import { signCustomerLink } from '../../src/customer/customer-link';
import { shipments, trackingEvents } from '../../src/db/schema/shipments';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import { startApi, type ApiUnderTest } from '../api/harness';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';

/**
 * The customer page in Debian's Chromium (scripts/install-chromium.sh) at a phone's width and a
 * desktop's, in English, Chinese and Japanese: no sideways scrolling, no serious axe-core
 * violation, the expected range and the replacement's tracking number, and the helper answering
 * in place through the page's own script (CSP intact).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DAY = 86_400_000;

let api: ApiUnderTest;
let context: BrowserContext;
let page: Page;
let profile: string;

/** A replaced shipment in the customer's locale, with scans and a replacement under way. */
async function aReplacedShipment(locale: string, replacementTracking = 'RPL-BROWSER-7') {
  const reg = aRegistration({
    customer: { name: 'Ada Buyer', email: `ada.${uniqueId('c')}@example.com`, locale },
    destination: {
      country: 'US',
      name: 'Ada Buyer',
      line1: '1 Market St',
      city: 'San Francisco',
      region: 'CA',
      postalCode: '94105',
    },
    trackingNumber: `YW${uniqueId('t').replace(/\W/g, '').slice(-10).toUpperCase()}LONGNUMBER`,
  });
  await insertShipmentRow(api.db, reg);
  await api.db.insert(trackingEvents).values(
    (['info_received', 'in_transit', 'customs'] as const).map((status, i) => ({
      shipmentId: reg.shipmentId,
      eventId: `e${i}`,
      occurredAt: new Date(Date.now() - (10 - i) * DAY),
      status,
      location: { country: 'CN', city: 'Shenzhen' },
      source: 'test',
    })),
  );
  const replacement = aRegistration({
    shipmentId: `${reg.shipmentId}~R1`,
    orderId: reg.orderId,
    replacementOf: reg.shipmentId,
    customer: reg.customer,
    trackingNumber: replacementTracking,
    expectedDeliveryAt: new Date(Date.now() + 6 * DAY).toISOString(),
  });
  await insertShipmentRow(api.db, replacement);
  await api.db
    .update(shipments)
    .set({ replacesShipmentId: reg.shipmentId })
    .where(eq(shipments.shipmentId, replacement.shipmentId));
  await api.db
    .update(shipments)
    .set({ stage: 'closed', resolution: 'reshipped' })
    .where(eq(shipments.shipmentId, reg.shipmentId));
  return `/t/${signCustomerLink(reg.shipmentId, DEFAULT_MESSAGING.customerLinkKeys, new Date(Date.now() + 30 * DAY))}`;
}

beforeAll(async () => {
  api = await startApi();
  profile = await mkdtemp(path.join(os.tmpdir(), 'pw-customer-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 390, height: 844 },
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
});

describe('the customer page in a browser', () => {
  it.each([
    ['en-US', 'Your replacement', 'Expected delivery'],
    ['zh-CN', '补发包裹', '预计送达'],
    ['ja-JP', '代替品', 'お届け予定'],
  ])(
    '%s at 390 px and 1280 px: readable, accessible, with the replacement and its range',
    async (locale, replacementHeading, expectedHeading) => {
      const link = await aReplacedShipment(locale, `RPL-BROWSER-${locale}`);
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 844 });
        const res = await page.goto(api.url + link);
        expect(res?.status()).toBe(200);
        await expect
          .poll(() => page.locator('h2', { hasText: replacementHeading }).count())
          .toBe(1);
        expect(await page.locator('main').innerText()).toContain(`RPL-BROWSER-${locale}`);
        expect(await page.locator('#eta-h').innerText()).toBe(expectedHeading);
        expect((await page.locator('#eta').innerText()).length).toBeGreaterThan(4);
        await expectNoHorizontalScroll(page, `${locale} at ${width}px`);
        await expectAccessible(page, `${locale} at ${width}px`);
      }
    },
  );

  it('the helper answers in place through the page’s own script, and the help forms open', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const link = await aReplacedShipment('en-GB', 'RPL-BROWSER-HELPER');
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(api.url + link);
    const url = page.url();
    await page.getByLabel('Your question').fill('When will it arrive?');
    await page.getByRole('button', { name: 'Ask' }).click();
    await expect.poll(() => page.locator('#chat-log').innerText()).toContain('We expect it');
    // No reload: the script answered.
    expect(page.url()).toBe(url);
    await page.getByText('My parcel arrived damaged').click();
    await expect.poll(() => page.locator('#help-damaged textarea').isVisible()).toBe(true);
    await expectAccessible(page, 'with the helper’s answer and a form open');
    expect(errors).toEqual([]);
  });
});
