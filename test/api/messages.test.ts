import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageTemplates, notifications } from '../../src/db/schema/messages';
import { inquiries } from '../../src/db/schema/shipments';
import { createOutboxRepository } from '../../src/messages/outbox.repository';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import { aRegistration, uniqueId } from '../helpers/factories';
import type { NotificationKind } from '../../workflows/shipment.contract';
import { startApi, type ApiUnderTest } from './harness';
import { expectBadCursorRefused, walkPages } from './paging';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

async function registered() {
  const reg = aRegistration();
  const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status).toBe(201);
  return reg;
}

describe('seller templates', () => {
  it('lists the kinds, the built-in languages and what each kind may use', async () => {
    const res = await api.call('GET', '/v1/templates', { as: 'ops' });
    expect(res.status).toBe(200);
    expect(res.body.builtinLocales).toEqual(['en', 'zh-CN', 'es', 'de', 'fr', 'ja', 'pt-BR']);
    expect(res.body.kinds).toContain('customs_notice');
    expect(res.body.placeholders.refunded).toContain('refundAmount');
  });

  it('a seller overrides a text, sees it in effect, changes it, and deletes it to revert', async () => {
    const path = '/v1/templates/refunded/pt-PT';
    const body = {
      subject: 'Reembolso da encomenda {orderId}',
      text: 'Olá {customerName}, devolvemos {refundAmount}.{#couponCode} Cupão: {couponCode}{/couponCode}',
    };
    const created = await api.call('PUT', path, { as: 'admin', body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'refunded', locale: 'pt-PT', ...body });
    const effective = await api.call('GET', path, { as: 'ops' });
    expect(effective.body).toMatchObject({ source: 'override', templateLocale: 'pt-PT', ...body });
    const replaced = await api.call('PUT', path, {
      as: 'admin',
      body: { ...body, subject: 'Reembolso {orderId}' },
    });
    expect(replaced.status).toBe(200);
    const listed = await api.call('GET', '/v1/templates', { as: 'ops' });
    expect(listed.body.overrides).toContainEqual(
      expect.objectContaining({
        kind: 'refunded',
        locale: 'pt-PT',
        subject: 'Reembolso {orderId}',
      }),
    );

    expect((await api.call('DELETE', path, { as: 'admin' })).status).toBe(204);
    const reverted = await api.call('GET', path, { as: 'ops' });
    expect(reverted.body).toMatchObject({ source: 'builtin', templateLocale: 'pt-BR' });
    const again = await api.call('DELETE', path, { as: 'admin' });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('template.not_found');
  });

  it('a template with an unknown placeholder is refused with a problem naming it', async () => {
    const res = await api.call('PUT', '/v1/templates/delay_notice/en', {
      as: 'admin',
      body: { subject: 'Late: {orderId}', text: 'Hi {customerName}, code {couponCod}' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('template.invalid');
    expect(res.body.errors).toEqual([
      { path: 'text', message: expect.stringContaining('unknown placeholder {couponCod}') },
    ]);
    const unchanged = await api.call('GET', '/v1/templates/delay_notice/en', { as: 'ops' });
    expect(unchanged.body.source).toBe('builtin');
  });

  it('an unknown kind, a bad locale or an empty text is refused with the field named', async () => {
    const kind = await api.call('PUT', '/v1/templates/birthday/en', {
      as: 'admin',
      body: { subject: 's', text: 't' },
    });
    expect(kind.status).toBe(400);
    expect(kind.body.errors[0].path).toBe('kind');
    const locale = await api.call('PUT', '/v1/templates/refunded/not_a-locale!', {
      as: 'admin',
      body: { subject: 's', text: 't' },
    });
    expect(locale.body.errors[0].path).toBe('locale');
    const empty = await api.call('PUT', '/v1/templates/refunded/de', {
      as: 'admin',
      body: { subject: 's', text: '' },
    });
    expect(empty.body.errors).toEqual([{ path: 'text', message: 'must not be empty' }]);
  });

  it('only admins change templates', async () => {
    const res = await api.call('PUT', '/v1/templates/refunded/de', {
      as: 'ops',
      body: { subject: 's', text: 't' },
    });
    expect(res.status).toBe(403);
  });

  it('a reply to a customer uses the seller’s text for their language', async () => {
    await api.call('PUT', '/v1/templates/inquiry_reply/es', {
      as: 'admin',
      body: { subject: 'Tu pedido {orderId}', text: '¡Hola {customerName}! {statusText}' },
    });
    try {
      const reg = await registered();
      const q = {
        inquiryId: uniqueId('Q'),
        channel: 'email',
        message: '¿Dónde está mi pedido?',
        receivedAt: '2026-03-01T10:00:00Z',
      };
      await api.call('POST', `/v1/shipments/${reg.shipmentId}/inquiries`, {
        as: 'ingest',
        body: q,
      });
      const log = await api.call('GET', `/v1/shipments/${reg.shipmentId}/messages`, { as: 'ops' });
      const reply = log.body.items.find((i: { type: string }) => i.type === 'message');
      expect(reply).toMatchObject({
        subject: `Tu pedido ${reg.orderId}`,
        // The carrier (yanwen) by its display name.
        text: expect.stringMatching(
          new RegExp(
            `^¡Hola ${reg.customer.name}! Tu paquete \\(Yanwen ${reg.trackingNumber}\\) está en camino\\.`,
          ),
        ),
      });
      // A seller's text that does not place the page link gets it as its last line, in Spanish.
      expect(reply.text).toMatch(/\n\nSigue tu paquete y pide ayuda aquí: http:\/\/\S+\/t\/\S+$/);
    } finally {
      await api.call('DELETE', '/v1/templates/inquiry_reply/es', { as: 'admin' });
    }
  });

  it('pages through the overrides by kind, then locale', async () => {
    const mine: { kind: NotificationKind; locale: string }[] = [
      { kind: 'refunded', locale: 'it-CH' },
      { kind: 'delay_notice', locale: 'fr-CA' },
      { kind: 'customs_notice', locale: 'nl-BE' },
      { kind: 'refunded', locale: 'de-CH' },
      { kind: 'delay_notice', locale: 'de-AT' },
    ];
    await api.db
      .insert(messageTemplates)
      .values(mine.map((m) => ({ ...m, subject: 's', text: 't' })))
      .onConflictDoNothing();
    try {
      const walked = await walkPages<{ kind: string; locale: string }>(
        api,
        '/v1/templates?limit=2',
        'ops',
        'overrides',
      );
      const keys = walked.items.map((o) => `${o.kind}/${o.locale}`);
      expect(new Set(keys).size).toBe(keys.length);
      const ours = new Set(mine.map((m) => `${m.kind}/${m.locale}`));
      expect(keys.filter((k) => ours.has(k))).toEqual([
        'customs_notice/nl-BE',
        'delay_notice/de-AT',
        'delay_notice/fr-CA',
        'refunded/de-CH',
        'refunded/it-CH',
      ]);
      expect(walked.pages).toBeGreaterThanOrEqual(3);
      await expectBadCursorRefused(api, '/v1/templates', 'ops');
    } finally {
      for (const m of mine) {
        await api.db
          .delete(messageTemplates)
          .where(and(eq(messageTemplates.kind, m.kind), eq(messageTemplates.locale, m.locale)));
      }
    }
  });
});

describe('the outbox in the API', () => {
  it('a message that keeps failing is listed with its error under ?status=failing', async () => {
    const reg = await registered();
    const outbox = createOutboxRepository(api.db, DEFAULT_MESSAGING);
    const key = `shipment:${reg.shipmentId}:notify:delay_notice:1`;
    const { row } = await outbox.record({
      idempotencyKey: key,
      shipmentId: reg.shipmentId,
      kind: 'delay_notice',
      channel: 'email',
      to: reg.customer.email,
      locale: 'en',
      subject: 'Late',
      text: 'Your parcel is late',
    });
    // Far in the future, so no dispatcher of another test takes it while we look.
    await outbox.claim(row.id, 60_000, true);
    await outbox.markFailed(row.id, 'connect ECONNREFUSED 10.0.0.1:587', () => 3_600_000);

    const failing = await api.call(
      'GET',
      `/v1/messages?status=failing&shipmentId=${reg.shipmentId}`,
      {
        as: 'ops',
      },
    );
    expect(failing.status).toBe(200);
    expect(failing.body.items).toEqual([
      expect.objectContaining({
        idempotencyKey: key,
        status: 'failing',
        attempts: 1,
        lastError: 'connect ECONNREFUSED 10.0.0.1:587',
        nextAttemptAt: expect.any(String),
      }),
    ]);
    const sent = await api.call('GET', `/v1/messages?status=sent&shipmentId=${reg.shipmentId}`, {
      as: 'ops',
    });
    expect(sent.body.items).toEqual([]);
  });

  it('pages through messages newest first, and refuses a cursor it did not hand out', async () => {
    const reg = await registered();
    const outbox = createOutboxRepository(api.db, DEFAULT_MESSAGING);
    for (const n of [1, 2, 3, 4, 5]) {
      await outbox.record({
        idempotencyKey: `${reg.shipmentId}:page:${n}`,
        shipmentId: reg.shipmentId,
        kind: 'ops_alert',
        channel: 'email',
        to: 'ops@x.test',
        locale: 'en',
        subject: `alert ${n}`,
        text: 'x',
      });
    }
    const walked = await walkPages<{ subject: string }>(
      api,
      `/v1/messages?shipmentId=${reg.shipmentId}&limit=2`,
      'analyst',
    );
    expect(walked.items.map((i) => i.subject)).toEqual([
      'alert 5',
      'alert 4',
      'alert 3',
      'alert 2',
      'alert 1',
    ]);
    expect(walked.pages).toBe(3);
    // The raw numeric id that served as a cursor before is no longer one.
    await expectBadCursorRefused(api, `/v1/messages?shipmentId=${reg.shipmentId}`, 'analyst');
  });

  it('an unknown status filter is refused naming the field', async () => {
    const res = await api.call('GET', '/v1/messages?status=lost', { as: 'ops' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('status');
  });
});

describe('the communication log of a shipment', () => {
  it('shows what we sent and what the customer wrote, in order', async () => {
    const reg = await registered();
    const outbox = createOutboxRepository(api.db, DEFAULT_MESSAGING);
    await outbox.record({
      idempotencyKey: `shipment:${reg.shipmentId}:notify:delay_notice:1`,
      shipmentId: reg.shipmentId,
      kind: 'delay_notice',
      channel: 'email',
      to: reg.customer.email,
      locale: 'en',
      subject: 'Your order is late',
      text: 'Sorry',
    });
    const q = {
      inquiryId: uniqueId('Q'),
      channel: 'chat',
      message: 'Where is my parcel?',
      receivedAt: new Date().toISOString(),
    };
    await api.call('POST', `/v1/shipments/${reg.shipmentId}/inquiries`, { as: 'ingest', body: q });
    await api.call('POST', '/v1/inbound/email', {
      as: 'ingest',
      body: {
        from: reg.customer.email,
        to: 'care@shop.test',
        subject: 'refund',
        text: 'I want my money back',
        messageId: `<${uniqueId('m')}@example.com>`,
        receivedAt: new Date().toISOString(),
      },
    });

    const log = await api.call('GET', `/v1/shipments/${reg.shipmentId}/messages`, { as: 'ops' });
    expect(log.status).toBe(200);
    const summary = log.body.items.map((i: Record<string, unknown>) =>
      i.type === 'message' ? `out ${String(i.kind)}` : `in ${String(i.type)} ${String(i.intent)}`,
    );
    expect(summary).toEqual([
      'out delay_notice',
      'in inquiry where_is_it',
      'out inquiry_reply',
      'in inquiry wants_refund',
      'out ops_alert',
      // A refund demand is answered too (moving, expected date, what if it does not come).
      'out inquiry_reply',
    ]);
    const ats = log.body.items.map((i: { at: string }) => Date.parse(i.at));
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    expect(log.body.items[3]).toMatchObject({
      channel: 'email',
      action: 'routed_to_ops',
      email: { from: reg.customer.email, subject: 'refund', matchedBy: 'customer_email' },
    });
  });

  it('pages oldest first, entries of the same instant in a fixed order, none skipped or repeated', async () => {
    const reg = await registered();
    const outbox = createOutboxRepository(api.db, DEFAULT_MESSAGING);
    const sent: Record<string, number> = {};
    for (const subject of ['A', 'B', 'C']) {
      const { row } = await outbox.record({
        idempotencyKey: `${reg.shipmentId}:log:${subject}`,
        shipmentId: reg.shipmentId,
        kind: 'ops_alert',
        channel: 'email',
        to: 'ops@x.test',
        locale: 'en',
        subject,
        text: 'x',
      });
      sent[subject] = row.id;
    }
    const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
    await api.db
      .update(notifications)
      .set({ createdAt: t(1) })
      .where(inArray(notifications.id, [sent.A!, sent.B!]));
    await api.db
      .update(notifications)
      .set({ createdAt: t(2) })
      .where(eq(notifications.id, sent.C!));
    const [late, early] = [uniqueId('Q-late'), uniqueId('Q-early')];
    await api.db.insert(inquiries).values([
      {
        shipmentId: reg.shipmentId,
        inquiryId: late,
        channel: 'chat',
        message: '?',
        receivedAt: t(1),
      },
      {
        shipmentId: reg.shipmentId,
        inquiryId: early,
        channel: 'chat',
        message: '?',
        receivedAt: t(0),
      },
    ]);

    const path = `/v1/shipments/${reg.shipmentId}/messages`;
    const walked = await walkPages<Record<string, string>>(api, `${path}?limit=2`, 'ops');
    // At one instant: what we sent (in the order sent) before what we received.
    expect(walked.items.map((i) => (i.type === 'message' ? i.subject : i.inquiryId))).toEqual([
      early,
      'A',
      'B',
      late,
      'C',
    ]);
    expect(walked.pages).toBe(3);
    await expectBadCursorRefused(api, path, 'ops');
  });

  it('of an unknown shipment is a 404 problem', async () => {
    const res = await api.call('GET', '/v1/shipments/NOPE-1/messages', { as: 'ops' });
    expect(res.status).toBe(404);
  });
});
