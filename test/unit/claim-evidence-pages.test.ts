/**
 * The evidence PDF of a reshipped, lost parcel reads well: its text holds the carrier's
 * verification answer, the decision with its reviewer, the scan history, the payment reference
 * as given and the messages both ways, and its pages render to PNG images with ink on them.
 */
import { describe, expect, it } from 'vitest';
import type { EvidencePackage } from '../../src/claims/claims.evidence';
import { renderEvidencePdf } from '../../src/claims/claims.pdf';
import { pdfPages } from './claim-pdf-pages';
import { pdfText } from './claim-pdf-text';

/** A 2×2 red PNG, as a carrier's inline proof-of-delivery photo. */
const PHOTO =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==';

const scans = Array.from({ length: 40 }, (_, i) => ({
  at: new Date(Date.UTC(2026, 2, 1, 8 + i)).toISOString(),
  status: i === 0 ? 'info_received' : 'in_transit',
  description: i === 0 ? 'Shipping label created' : `Processed at sort centre ${i}`,
  location: 'Shenzhen, CN',
  source: 'webhook',
}));

const lost: EvidencePackage = {
  claim: {
    shipmentId: 'SHP-77',
    filer: 'yunexpress',
    party: 'carrier',
    rule: 'Any other carrier (conservative default)',
    reason: 'lost',
    amountClaimed: 89.5,
    currency: 'USD',
    preparedAt: '2026-03-20T09:00:00.000Z',
  },
  order: {
    orderId: 'ORD-77',
    items: [{ sku: 'SKU-LAMP', quantity: 1, unitPrice: 89.5 }],
    customer: 'Ada Buyer',
  },
  paymentReference: {
    reference: 'pi_3QabcXYZ',
    source: 'registration',
    orderId: 'ORD-77',
    orderName: '#1077',
    shopOrderId: 'gid://shopify/Order/77',
    platform: 'shopify',
  },
  declaredValue: { amount: 89.5, currency: 'USD' },
  costs: {
    goods: 89.5,
    declaredValue: 89.5,
    replacement: { goods: 41, postage: 12.3, insurance: 0.9, total: 54.2, currency: 'USD' },
    currency: 'USD',
  },
  verification: {
    outcome: 'nothing_newer',
    at: '2026-03-12T10:15:00.000Z',
    detail: 'Carrier has no scan newer than 2026-03-02 (asked 2026-03-12)',
  },
  decision: {
    round: 1,
    decision: 'reship',
    reviewer: 'grace@ops.example',
    decidedAt: '2026-03-12T11:02:00.000Z',
    automatic: false,
    note: 'Repeat customer; reship from the US warehouse',
  },
  label: {
    carrier: 'yunexpress',
    trackingNumber: 'YT2607712345678',
    shippedAt: '2026-03-01T08:00:00.000Z',
    origin: 'CN',
    destination: 'Ada Buyer, 1 Market St, 94105 San Francisco, CA, US',
  },
  trackingHistory: scans,
  customerMessages: [
    { at: '2026-03-10T10:00:00.000Z', channel: 'email', message: 'Where is my lamp?' },
  ],
  messages: [
    {
      at: '2026-03-10T10:00:00.000Z',
      direction: 'from_customer',
      channel: 'email',
      text: 'Where is my lamp?',
    },
    {
      at: '2026-03-12T11:05:00.000Z',
      direction: 'to_customer',
      channel: 'email',
      kind: 'reshipped',
      subject: 'A new lamp is on its way',
      text: 'We sent a replacement with tracking number 1Z999AA10123456784.',
    },
  ],
  notificationsSent: [{ at: '2026-03-12T11:05:00.000Z', kind: 'reshipped' }],
  proofOfDelivery: { deliveredAt: '2026-03-05T16:00:00.000Z', photoUrl: PHOTO },
  required: ['order', 'payment_reference', 'declared_value', 'label', 'tracking_history'],
  missing: [],
};

describe('evidence PDF of a reshipped, lost parcel', () => {
  it('shows the verification answer, the decision with its reviewer and the scan history', async () => {
    const text = await pdfText(await renderEvidencePdf(lost, { claimId: 'clm_77' }));
    expect(text).toContain('Carrier verification');
    expect(text).toContain('nothing_newer: Carrier has no scan newer than 2026-03-02');
    expect(text).toContain('2026-03-12 10:15:00 UTC');
    expect(text).toContain('reship by grace@ops.example');
    expect(text).toContain('2026-03-12 11:02:00 UTC');
    for (const s of scans) expect(text).toContain(s.description);
    expect(text).toContain('pi_3QabcXYZ');
    expect(text).toContain('#1077');
    expect(text).toContain('54.20 USD');
    expect(text).toContain('From the customer');
    expect(text).toContain('To the customer');
    expect(text).toContain('We sent a replacement with tracking number 1Z999AA10123456784.');
    expect(text).not.toContain('DRAFT');
  });

  it('says "not provided" where no payment reference was given, and marks a preview as a draft', async () => {
    const draft: EvidencePackage = {
      ...lost,
      paymentReference: { reference: 'not provided', source: 'not provided', orderId: 'ORD-77' },
      draft: true,
    };
    const text = await pdfText(await renderEvidencePdf(draft, { claimId: '#9' }));
    expect(text).toMatch(/Reference:\s+not provided/);
    expect(text).toContain('DRAFT');
  });

  it('renders to PNG pages that carry ink, the scans flowing onto a second page', async () => {
    const pdf = await renderEvidencePdf(lost, { claimId: 'clm_77' });
    const pages = await pdfPages(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) {
      expect(page.png.subarray(1, 4).toString()).toBe('PNG');
      // A4 at 72 dpi.
      expect(page.width).toBe(596);
      expect(page.height).toBe(842);
      expect(page.ink).toBeGreaterThan(0.005);
    }
  }, 60_000);

  it('prints an inline proof-of-delivery photo as an image on the page', async () => {
    const withPhoto = await pdfPages(await renderEvidencePdf(lost, { claimId: 'clm_77' }));
    const linked = await pdfPages(
      await renderEvidencePdf(
        {
          ...lost,
          proofOfDelivery: {
            deliveredAt: '2026-03-05T16:00:00.000Z',
            photoUrl: 'https://pod.example/77.jpg',
          },
        },
        { claimId: 'clm_77' },
      ),
    );
    const red = (pages: typeof withPhoto) => pages.reduce((n, p) => n + p.ink, 0);
    // The 240-point photo adds far more ink than the one line naming a link.
    expect(red(withPhoto) - red(linked)).toBeGreaterThan(0.05);
  }, 60_000);
});
