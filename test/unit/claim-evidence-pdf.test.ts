import { describe, expect, it } from 'vitest';
import {
  needsProofOfDelivery,
  withProofOfDelivery,
  type EvidencePackage,
} from '../../src/claims/claims.evidence';
import { renderEvidencePdf } from '../../src/claims/claims.pdf';
import { pdfText } from './claim-pdf-text';

const evidence: EvidencePackage = {
  claim: {
    shipmentId: 'SHP-42',
    filer: 'usps',
    party: 'carrier',
    rule: 'USPS domestic, insured mail (lost)',
    reason: 'lost',
    amountClaimed: 59.9,
    currency: 'USD',
    preparedAt: '2026-03-20T09:00:00.000Z',
  },
  order: {
    orderId: 'ORD-42',
    marketplace: 'shopify',
    items: [{ sku: 'SKU-MUG', quantity: 2, unitPrice: 29.95 }],
    customer: 'Ada Buyer',
  },
  paymentReference: { reference: 'ch_3P9xQ2', source: 'registration', orderId: 'ORD-42' },
  declaredValue: { amount: 59.9, currency: 'USD' },
  label: {
    carrier: 'usps',
    trackingNumber: '9400100000000000000042',
    shippedAt: '2026-03-01T12:00:00.000Z',
    origin: 'US',
    destination: 'Ada Buyer, 1 Market St, 94105 San Francisco, CA, US',
  },
  trackingHistory: [
    {
      at: '2026-03-01T15:00:00.000Z',
      status: 'info_received',
      description: 'Shipping label created',
      source: 'webhook',
    },
    {
      at: '2026-03-02T08:30:00.000Z',
      status: 'in_transit',
      description: 'Arrived at USPS regional facility',
      location: 'Oakland, 94607, US',
      source: 'webhook',
    },
  ],
  customerMessages: [
    { at: '2026-03-15T10:00:00.000Z', channel: 'email', message: 'Where is my mug?' },
  ],
  notificationsSent: [],
  required: ['order', 'payment_reference', 'declared_value', 'label', 'tracking_history'],
  missing: [],
};

describe('evidence PDF', () => {
  it('opens in a PDF parser and lists the claim, the label and every tracking scan', async () => {
    const pdf = await renderEvidencePdf(evidence, { claimId: 'clm_123' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Claim evidence package');
    expect(text).toContain('clm_123');
    expect(text).toContain('9400100000000000000042');
    expect(text).toContain('Tracking history');
    expect(text).toContain('2026-03-01 15:00:00 UTC');
    expect(text).toContain('Shipping label created');
    expect(text).toContain('Arrived at USPS regional facility');
    expect(text).toContain('Oakland, 94607, US');
    expect(text).toContain('Where is my mug?');
  });

  it('marks a required item that could not be provided', async () => {
    const pdf = await renderEvidencePdf(
      {
        ...evidence,
        carrierTrace: undefined,
        required: ['carrier_trace'],
        missing: ['carrier_trace'],
      },
      { claimId: 'clm_124' },
    );
    expect(await pdfText(pdf)).toContain('Carrier trace (not available)');
  });

  it('adds the carrier’s proof of delivery when a scan says delivered, and prints it', async () => {
    expect(needsProofOfDelivery(evidence)).toBe(false);
    const delivered: EvidencePackage = {
      ...evidence,
      trackingHistory: [
        ...evidence.trackingHistory,
        { at: '2026-03-04T11:00:00.000Z', status: 'delivered', source: 'webhook' },
      ],
      required: [...evidence.required, 'proof_of_delivery'],
      missing: ['proof_of_delivery'],
    };
    expect(needsProofOfDelivery(delivered)).toBe(true);
    const withPod = withProofOfDelivery(delivered, {
      deliveredAt: '2026-03-04T11:00:00.000Z',
      signedBy: 'NEIGHBOUR',
      note: 'left at front door',
    });
    expect(withPod.missing).toEqual([]);
    const text = await pdfText(await renderEvidencePdf(withPod, { claimId: 'clm_125' }));
    expect(text).toContain('Proof of delivery');
    expect(text).toContain('NEIGHBOUR');
    expect(text).toContain('left at front door');
  });
});
