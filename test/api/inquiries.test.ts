import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundEmails, inquiryOutcomes, notifications, shipments } from '../../src/db/schema';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import { REPEAT_INQUIRY_WINDOW_MS } from '../../src/inquiries/inquiries.service';
import {
  customerInquirySignal,
  shipmentWorkflowId,
  type ShipmentRegistration,
} from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { signalsReceived } from '../helpers/payload-key';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

async function registered(overrides: Partial<ShipmentRegistration> = {}) {
  const reg = aRegistration(overrides);
  const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status).toBe(201);
  return reg;
}

const ask = (shipmentId: string, body: Record<string, unknown>) =>
  api.call('POST', `/v1/shipments/${shipmentId}/inquiries`, { as: 'ingest', body });

const anInquiry = (message: string, extra: Record<string, unknown> = {}) => ({
  inquiryId: uniqueId('Q'),
  channel: 'marketplace',
  message,
  receivedAt: '2026-03-01T09:30:00Z',
  ...extra,
});

const messagesOf = (shipmentId: string) =>
  api.db.select().from(notifications).where(eq(notifications.shipmentId, shipmentId));

const inquirySignals = (shipmentId: string) =>
  signalsReceived<Record<string, unknown>>(
    api.client,
    shipmentWorkflowId(shipmentId),
    customerInquirySignal.name,
  );

/** The reply's key: one per shipment, question and ten-minute window of when it was asked. */
const replyKey = (shipmentId: string, intent: string, receivedAt: string) =>
  `inquiry:${shipmentId}:reply:${intent}:${Math.floor(Date.parse(receivedAt) / REPEAT_INQUIRY_WINDOW_MS)}`;

describe('customer inquiries', () => {
  it('"where is my parcel?" in French is answered in French with the current status, and the workflow learns the intent', async () => {
    const reg = await registered({
      customer: {
        name: 'Camille Martin',
        email: `camille.${uniqueId('c')}@example.fr`,
        locale: 'fr-FR',
      },
    });
    const q = anInquiry('Bonjour, où est ma commande ? Merci');
    const res = await ask(reg.shipmentId, q);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      shipmentId: reg.shipmentId,
      inquiryId: q.inquiryId,
      intent: 'where_is_it',
      language: 'fr',
      action: 'replied',
      duplicate: false,
      signalled: true,
    });
    const [reply] = await messagesOf(reg.shipmentId);
    expect(reply).toMatchObject({
      idempotencyKey: replyKey(reg.shipmentId, 'where_is_it', q.receivedAt),
      kind: 'inquiry_reply',
      channel: 'email',
      to: reg.customer.email,
      locale: 'fr',
      subject: `À propos de votre commande ${reg.orderId}`,
    });
    expect(reply!.body).toContain('Bonjour Camille Martin');
    expect(reply!.body).toContain(
      // The carrier (yanwen) by its display name.
      `Votre colis (Yanwen ${reg.trackingNumber}) est en route.`,
    );
    expect(reply!.html).toContain('<p>Bonjour Camille Martin,</p>');
    expect(await inquirySignals(reg.shipmentId)).toEqual([{ ...q, intent: 'where_is_it' }]);
  });

  it('the same inquiry sent again gets the same answer and no second reply', async () => {
    const reg = await registered();
    const q = anInquiry('I still have not received my order');
    const first = await ask(reg.shipmentId, q);
    const again = await ask(reg.shipmentId, q);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({
      intent: 'not_received',
      action: first.body.action,
      duplicate: true,
    });
    expect(await messagesOf(reg.shipmentId)).toHaveLength(1);
    // The workflow dedupes by inquiry id; it is told again in case the first signal was lost.
    expect((await inquirySignals(reg.shipmentId)).map((s) => s.intent)).toEqual([
      'not_received',
      'not_received',
    ]);
  });

  it('three identical inquiries within ten minutes get one reply; the later ones are recorded as answered by it', async () => {
    const reg = await registered();
    const qs = [1, 2, 3].map(() => anInquiry('Where is my parcel?'));
    const outcomes = [];
    for (const q of qs) {
      const res = await ask(reg.shipmentId, q);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        intent: 'where_is_it',
        action: 'replied',
        duplicate: false,
      });
      outcomes.push(res.body);
    }
    const replies = await messagesOf(reg.shipmentId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.idempotencyKey).toBe(
      replyKey(reg.shipmentId, 'where_is_it', qs[0]!.receivedAt),
    );
    const recorded = await api.db
      .select()
      .from(inquiryOutcomes)
      .where(eq(inquiryOutcomes.shipmentId, reg.shipmentId));
    expect(recorded).toHaveLength(3);
    expect(new Set(recorded.map((o) => o.messageKey))).toEqual(
      new Set([replies[0]!.idempotencyKey]),
    );
    // The workflow still hears of every one of them.
    expect(await inquirySignals(reg.shipmentId)).toHaveLength(3);
  });

  it('three identical inquiries at the same moment get one reply too', async () => {
    const reg = await registered();
    const qs = [1, 2, 3].map(() => anInquiry('Where is my parcel?'));
    const answers = await Promise.all(qs.map((q) => ask(reg.shipmentId, q)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(await messagesOf(reg.shipmentId)).toHaveLength(1);
    expect(await inquirySignals(reg.shipmentId)).toHaveLength(3);
  });

  it('"when will it arrive?" in Japanese and Chinese is answered with the expected date', async () => {
    const expectedDeliveryAt = '2030-03-12T12:00:00.000Z';
    const ja = await registered({
      expectedDeliveryAt,
      customer: { name: '山田 花子', email: `hanako.${uniqueId('c')}@example.jp`, locale: 'ja-JP' },
    });
    const asked = await ask(ja.shipmentId, anInquiry('いつ届きますか？'));
    expect(asked.body).toMatchObject({ intent: 'where_is_it', language: 'ja', action: 'replied' });
    const [jaReply] = await messagesOf(ja.shipmentId);
    expect(jaReply!.body).toContain('お届け予定日は 2030年3月12日 です。');

    const zh = await registered({
      expectedDeliveryAt,
      customer: { name: '王芳', email: `fang.${uniqueId('c')}@example.cn`, locale: 'zh-CN' },
    });
    await ask(zh.shipmentId, anInquiry('什么时候到'));
    const [zhReply] = await messagesOf(zh.shipmentId);
    expect(zhReply!.body).toContain('预计送达日期为 2030年3月12日。');

    const en = await registered({ expectedDeliveryAt });
    await ask(en.shipmentId, anInquiry('When will it arrive?'));
    const [enReply] = await messagesOf(en.shipmentId);
    expect(enReply!.body).toContain('It is expected by March 12, 2030.');
  });

  it('a refund request goes to ops with the customer’s words, and the customer hears what happens next', async () => {
    const reg = await registered();
    const res = await ask(
      reg.shipmentId,
      anInquiry('This is taking forever, I want a refund now.'),
    );
    expect(res.body).toMatchObject({ intent: 'wants_refund', action: 'routed_to_ops' });
    const rows = (await messagesOf(reg.shipmentId)).filter((m) => m.kind === 'ops_alert');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      kind: 'ops_alert',
      to: DEFAULT_MESSAGING.opsEmail,
      subject: `Customer inquiry needs a person (wants_refund): shipment ${reg.shipmentId}`,
    });
    expect(rows[0]!.body).toContain('I want a refund now.');
  });

  it('a message the rules do not understand goes to ops as well', async () => {
    const reg = await registered();
    const res = await ask(reg.shipmentId, anInquiry('Can I get this mug in blue instead?'));
    expect(res.body).toMatchObject({ intent: 'other', action: 'routed_to_ops' });
  });

  it('a parcel under investigation is described as such, and the inquiry’s locale wins over the detected language', async () => {
    const reg = await registered();
    await api.db
      .update(shipments)
      .set({ stage: 'awaiting_review' })
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const res = await ask(reg.shipmentId, anInquiry('where is my parcel??', { locale: 'ja-JP' }));
    expect(res.body).toMatchObject({ intent: 'where_is_it', language: 'en', action: 'replied' });
    const [reply] = await messagesOf(reg.shipmentId);
    expect(reply).toMatchObject({ locale: 'ja-JP', subject: `ご注文 ${reg.orderId} について` });
    expect(reply!.body).toContain('配送業者に調査を依頼しています');
  });

  it('a refund recorded as manual is described as being arranged, not as paid', async () => {
    const reg = await registered();
    const [row] = await api.db
      .select()
      .from(shipments)
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const refund = { amount: 19.9, currency: 'USD', recordedAt: new Date().toISOString() };
    await api.db
      .update(shipments)
      .set({ snapshot: { ...row!.snapshot!, refund: { ...refund, status: 'manual' as const } } })
      .where(eq(shipments.shipmentId, reg.shipmentId));
    await ask(reg.shipmentId, anInquiry('Where is my parcel?'));
    const [reply] = await messagesOf(reg.shipmentId);
    expect(reply!.body).toContain(
      'We are arranging the refund of your order; it has not been paid yet.',
    );
    expect(reply!.body).not.toContain('We have refunded');
  });

  it('a customer who says a delivered parcel never came is first asked to look with neighbours and the pickup point', async () => {
    const reg = await registered({
      customer: { name: 'Lucía', email: `lucia.${uniqueId('c')}@example.es`, locale: 'es-ES' },
    });
    await api.db
      .update(shipments)
      .set({ stage: 'delivered' })
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const res = await ask(reg.shipmentId, anInquiry('Pone entregado pero no he recibido nada'));
    expect(res.body).toMatchObject({ intent: 'delivered_not_received', language: 'es' });
    const [reply] = await messagesOf(reg.shipmentId);
    expect(reply!.body).toContain('El transportista indica que tu paquete');
    expect(reply!.body).toContain('con un vecino');
    expect(reply!.body).toContain('abriremos una investigación con el transportista');
    expect((await inquirySignals(reg.shipmentId))[0]).toMatchObject({
      intent: 'delivered_not_received',
    });
  });

  it('bad input is refused with the field named', async () => {
    const reg = await registered();
    const res = await ask(reg.shipmentId, { inquiryId: 'Q1', channel: 'email', message: 'hi' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ path: 'receivedAt', message: expect.any(String) }]);
    expect((await ask('NOPE-404', anInquiry('where is it'))).status).toBe(404);
  });
});

describe('customer e-mail from the inbound-mail webhook', () => {
  const inbound = (body: Record<string, unknown>) =>
    api.call('POST', '/v1/inbound/email', { as: 'ingest', body });

  it('a mail naming the tracking number is matched, classified, and answered at the registered address', async () => {
    const reg = await registered({
      customer: { name: 'Hans', email: `hans.${uniqueId('c')}@example.de`, locale: 'de-DE' },
    });
    const messageId = `<${uniqueId('m')}@mail.example.de>`;
    // The same mailbox in other case, as some mail clients write it.
    const from = `Hans Müller <${reg.customer.email.toUpperCase()}>`;
    const res = await inbound({
      from,
      to: 'care@shop.example',
      subject: `Sendung ${reg.trackingNumber}`,
      text: 'Hallo, ich habe mein Paket noch nicht erhalten. Wo bleibt es?',
      messageId,
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      matched: true,
      matchedBy: 'tracking_number',
      shipmentId: reg.shipmentId,
      intent: 'not_received',
      language: 'de',
      action: 'replied',
      duplicate: false,
    });
    const [reply] = await messagesOf(reg.shipmentId);
    expect(reply).toMatchObject({ to: reg.customer.email, locale: 'de' });
    const [stored] = await api.db
      .select()
      .from(inboundEmails)
      .where(eq(inboundEmails.messageId, messageId));
    expect(stored).toMatchObject({ shipmentId: reg.shipmentId, inquiryId: res.body.inquiryId });

    const again = await inbound({
      from,
      to: 'care@shop.example',
      subject: `Sendung ${reg.trackingNumber}`,
      text: 'Hallo, ich habe mein Paket noch nicht erhalten. Wo bleibt es?',
      messageId,
    });
    expect(again.body).toMatchObject({
      matched: true,
      inquiryId: res.body.inquiryId,
      duplicate: true,
    });
    expect(await messagesOf(reg.shipmentId)).toHaveLength(1);
  });

  it('a mail with the order number is matched by order id', async () => {
    const reg = await registered();
    const res = await inbound({
      from: reg.customer.email,
      to: 'care@shop.example',
      subject: 'Question',
      text: `Hi, when will order ${reg.orderId} arrive?`,
      messageId: `<${uniqueId('m')}@example.com>`,
    });
    expect(res.body).toMatchObject({ matchedBy: 'order_id', shipmentId: reg.shipmentId });
  });

  it('a mail without any reference is matched by the customer’s address', async () => {
    const reg = await registered();
    const res = await inbound({
      from: `"Ada" <${reg.customer.email.toUpperCase()}>`,
      to: 'care@shop.example',
      subject: 'my parcel',
      text: 'Tracking says delivered but I never got anything.',
      messageId: `<${uniqueId('m')}@example.com>`,
    });
    expect(res.body).toMatchObject({
      matched: true,
      matchedBy: 'customer_email',
      shipmentId: reg.shipmentId,
      intent: 'delivered_not_received',
    });
  });

  it('a stranger naming a tracking or order number gets no mail, the workflow is not told, and ops review it', async () => {
    const name = `Greta ${uniqueId('N')}`;
    const reg = await registered({
      customer: { name, email: `greta.${uniqueId('c')}@example.com`, locale: 'en-GB' },
    });
    const stranger = `${uniqueId('mallory')}@evil.example`;
    const byTracking = `<${uniqueId('m')}@evil.example>`;
    const mails = [
      {
        subject: `Parcel ${reg.trackingNumber}`,
        text: 'Where is my parcel?',
        messageId: byTracking,
      },
      {
        subject: 'Order',
        text: `When does order ${reg.orderId} arrive?`,
        messageId: `<${uniqueId('m')}@evil.example>`,
      },
    ];
    for (const m of mails) {
      const res = await inbound({ from: `Greta <${stranger}>`, to: 'care@shop.example', ...m });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        matched: true,
        shipmentId: reg.shipmentId,
        unverifiedSender: true,
        action: 'routed_to_ops',
        duplicate: false,
      });
    }
    const again = await inbound({ from: stranger, to: 'care@shop.example', ...mails[0]! });
    expect(again.body).toMatchObject({ unverifiedSender: true, duplicate: true });

    // The outbox holds two alerts for ops and nothing for anyone else; no mail names the customer.
    const toStranger = await api.db
      .select()
      .from(notifications)
      .where(eq(notifications.to, stranger));
    expect(toStranger).toEqual([]);
    const sent = await messagesOf(reg.shipmentId);
    expect(sent.map((m) => [m.kind, m.to])).toEqual([
      ['ops_alert', DEFAULT_MESSAGING.opsEmail],
      ['ops_alert', DEFAULT_MESSAGING.opsEmail],
    ]);
    for (const m of sent) expect(`${m.subject}\n${m.body}\n${m.html}`).not.toContain(name);
    expect(sent.some((m) => m.body.includes(byTracking))).toBe(true);

    // Not an inquiry: the workflow hears nothing (no surge), the stored mail is flagged.
    expect(await inquirySignals(reg.shipmentId)).toEqual([]);
    const [stored] = await api.db
      .select()
      .from(inboundEmails)
      .where(eq(inboundEmails.messageId, byTracking));
    expect(stored).toMatchObject({
      shipmentId: reg.shipmentId,
      matchedBy: 'tracking_number',
      unverifiedSender: true,
      inquiryId: null,
    });
    const log = await api.call('GET', `/v1/shipments/${reg.shipmentId}/messages`, { as: 'ops' });
    expect(log.body.items.map((i: { type: string; kind?: string }) => i.kind ?? i.type)).toEqual([
      'ops_alert',
      'ops_alert',
    ]);
  });

  it('a mail that matches no shipment goes to ops', async () => {
    const messageId = `<${uniqueId('m')}@nowhere.example>`;
    const res = await inbound({
      from: `${uniqueId('x')}@nowhere.example`,
      to: 'care@shop.example',
      subject: 'Hello?',
      text: 'Where is my stuff',
      messageId,
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ matched: false, duplicate: false, action: 'routed_to_ops' });
    const alerts = await api.db
      .select()
      .from(notifications)
      .where(like(notifications.subject, 'Customer e-mail matches no shipment: Hello?'));
    expect(alerts.some((a) => a.body.includes(messageId))).toBe(true);
  });

  it('a mail without a sender address is refused naming the field', async () => {
    const res = await inbound({
      from: 'nobody',
      to: 'care@shop.example',
      subject: 'x',
      text: 'y',
      messageId: '<a@b>',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'from', message: 'must contain an e-mail address' }]);
    const missing = await inbound({ from: 'a@b.example', to: 'c@d.example', text: 'y' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([{ path: 'messageId', message: expect.any(String) }]);
  });

  it('only ingest keys may post mail', async () => {
    const res = await api.call('POST', '/v1/inbound/email', {
      as: 'analyst',
      body: { from: 'a@b.example', to: 'c', text: 'x', messageId: 'm' },
    });
    expect(res.status).toBe(403);
  });

  it('every classified inquiry keeps its outcome for the log', async () => {
    const reg = await registered();
    const q = anInquiry('Wann kommt mein Paket?');
    await ask(reg.shipmentId, q);
    const [outcome] = await api.db
      .select()
      .from(inquiryOutcomes)
      .where(eq(inquiryOutcomes.inquiryId, q.inquiryId));
    expect(outcome).toMatchObject({ intent: 'where_is_it', language: 'de', action: 'replied' });
  });
});
