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
  if (pkg.draft) {
    doc
      .fontSize(11)
      .fillColor('#b00020')
      .text('DRAFT: a preview of what we hold now; the claim is not filed yet.')
      .fillColor('black');
  }
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
    line('Reference', pkg.paymentReference.reference);
    line('Order', pkg.paymentReference.orderId);
    line('Shop order', pkg.paymentReference.orderName ?? pkg.paymentReference.shopOrderId);
    line('Platform', pkg.paymentReference.platform);
  }
  if (pkg.declaredValue) {
    heading('Declared value and costs');
    line('Declared value', money(pkg.declaredValue.amount, pkg.declaredValue.currency));
    if (pkg.costs) {
      line('Goods (order lines)', money(pkg.costs.goods, pkg.costs.currency));
      const r = pkg.costs.replacement;
      if (r) {
        line(
          'Replacement',
          `${money(r.total, r.currency)} (goods ${r.goods.toFixed(2)}, postage ${r.postage.toFixed(2)}, insurance ${r.insurance.toFixed(2)})`,
        );
      }
    }
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
    line('Note', pkg.proofOfDelivery.note);
    const photo = inlinePhoto(pkg.proofOfDelivery.photoUrl);
    if (photo) doc.image(photo, { fit: [240, 240] }).moveDown(0.5);
    else line('Photo', pkg.proofOfDelivery.photoUrl);
  }
  if (pkg.verification) {
    heading('Carrier verification');
    line('Checked', when(pkg.verification.at));
    line('Answer', `${pkg.verification.outcome}: ${pkg.verification.detail}`);
  }
  if (pkg.decision) {
    heading('Decision');
    line(
      'Decided',
      `${pkg.decision.decision} by ${pkg.decision.reviewer}${pkg.decision.automatic ? ' (automatic, by policy)' : ''}`,
    );
    line('When', when(pkg.decision.decidedAt));
    line('Note', pkg.decision.note);
  }

  heading('Messages from and to the customer');
  // Packages stored before messages both ways were kept hold only the customer's.
  const messages: NonNullable<EvidencePackage['messages']> =
    pkg.messages ??
    pkg.customerMessages.map((m) => ({
      at: m.at,
      direction: 'from_customer' as const,
      channel: m.channel,
      text: m.message,
    }));
  if (messages.length === 0) doc.text('None.');
  for (const m of messages) {
    const who = m.direction === 'from_customer' ? 'From the customer' : 'To the customer';
    doc
      .font('Helvetica-Bold')
      .text(`${when(m.at)}  ${who} (${m.channel}${m.kind ? `, ${m.kind}` : ''})`);
    doc.font('Helvetica');
    if (m.subject) doc.text(`Subject: ${m.subject}`);
    doc.text(m.text, { indent: 12 }).moveDown(0.3);
  }

  doc.end();
  return done;
}

const money = (amount: number, currency: string) => `${amount.toFixed(2)} ${currency}`;

/** A photo the carrier gave inline (data: URL) is printed; a linked one is named by its link. */
function inlinePhoto(url: string | undefined): Buffer | undefined {
  const m = url?.match(/^data:image\/(?:png|jpeg);base64,([A-Za-z0-9+/=]+)$/);
  return m ? Buffer.from(m[1]!, 'base64') : undefined;
}
