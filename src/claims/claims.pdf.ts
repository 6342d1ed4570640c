/**
 * Prints a claim's evidence package as a PDF a person can attach to a carrier's or insurer's claim
 * form: the claim, the order and its value, the label, the full tracking history, the trace and
 * what the customer told us, with a checklist of what the rule asks for.
 */
import PDFDocument from 'pdfkit';
import type { EvidencePackage } from './claims.evidence';

const LABELS: Record<string, string> = {
  order: 'Order',
  payment_reference: 'Payment reference',
  declared_value: 'Declared value',
  label: 'Label',
  tracking_history: 'Tracking history',
  carrier_trace: 'Carrier trace',
  customer_messages: 'Customer messages',
  proof_of_delivery: 'Proof of delivery',
};

const when = (at: string) => at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

export function renderEvidencePdf(
  pkg: EvidencePackage,
  meta: { claimId: string },
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `Claim evidence ${meta.claimId} (shipment ${pkg.claim.shipmentId})`,
      Author: 'Parcelwarden',
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string) => {
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(text).moveDown(0.2);
    doc.font('Helvetica').fontSize(10);
  };
  const line = (label: string, value: string | number | undefined) => {
    if (value === undefined || value === '') return;
    doc.font('Helvetica-Bold').text(`${label}: `, { continued: true });
    doc.font('Helvetica').text(String(value));
  };

  doc.font('Helvetica-Bold').fontSize(18).text('Claim evidence package');
  doc.font('Helvetica').fontSize(10).moveDown(0.3);
  line('Claim', meta.claimId);
  line('Shipment', pkg.claim.shipmentId);
  line('Filed with', `${pkg.claim.filer} (${pkg.claim.party}), rule: ${pkg.claim.rule}`);
  line('Reason', pkg.claim.reason);
  line('Amount claimed', `${pkg.claim.amountClaimed.toFixed(2)} ${pkg.claim.currency}`);
  line('Prepared', when(pkg.claim.preparedAt));

  heading('Required evidence');
  for (const item of pkg.required) {
    const missing = pkg.missing.includes(item);
    doc.text(
      `[${missing ? ' ' : 'x'}] ${LABELS[item] ?? item}${missing ? ' (not available)' : ''}`,
    );
  }

  if (pkg.order) {
    heading('Order');
    line('Order', pkg.order.orderId);
    line('Marketplace', pkg.order.marketplace);
    line('Customer', pkg.order.customer);
    for (const i of pkg.order.items) {
      doc.text(`${i.quantity} x ${i.sku} at ${i.unitPrice.toFixed(2)}`);
    }
  }
  if (pkg.paymentReference) {
    heading('Payment reference');
    line('Order', pkg.paymentReference.orderId);
    line(
      'Amount paid',
      `${pkg.paymentReference.amountPaid.toFixed(2)} ${pkg.paymentReference.currency}`,
    );
  }
  if (pkg.declaredValue) {
    heading('Declared value');
    doc.text(`${pkg.declaredValue.amount.toFixed(2)} ${pkg.declaredValue.currency}`);
  }
  if (pkg.label) {
    heading('Label');
    line('Carrier', pkg.label.carrier);
    line('Tracking number', pkg.label.trackingNumber);
    line('Service', pkg.label.service);
    line('Shipped', when(pkg.label.shippedAt));
    line('Expected delivery', pkg.label.expectedDeliveryAt && when(pkg.label.expectedDeliveryAt));
    line('From', pkg.label.origin);
    line('To', pkg.label.destination);
  }

  heading('Tracking history');
  if (pkg.trackingHistory.length === 0) doc.text('No scans recorded.');
  for (const e of pkg.trackingHistory) {
    doc.text(
      [when(e.at), e.status, e.description, e.location && `(${e.location})`]
        .filter(Boolean)
        .join('  '),
    );
  }

  if (pkg.carrierTrace) {
    heading('Carrier trace');
    line('Trace', pkg.carrierTrace.traceId);
    line('Status', pkg.carrierTrace.status);
    line('Opened', when(pkg.carrierTrace.openedAt));
  }
  if (pkg.proofOfDelivery) {
    heading('Proof of delivery');
    line('Delivered', when(pkg.proofOfDelivery.deliveredAt));
    line('Signed by', pkg.proofOfDelivery.signedBy);
    line('Photo', pkg.proofOfDelivery.photoUrl);
    line('Note', pkg.proofOfDelivery.note);
  }
  heading('Customer messages');
  if (pkg.customerMessages.length === 0) doc.text('None.');
  for (const m of pkg.customerMessages) doc.text(`${when(m.at)}  ${m.channel}: ${m.message}`);
  if (pkg.notificationsSent.length) {
    heading('Notices sent to the customer');
    for (const n of pkg.notificationsSent) doc.text(`${when(n.at)}  ${n.kind}`);
  }

  doc.end();
  return done;
}
