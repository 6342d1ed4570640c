import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../activities/notify.activities';
import { signCustomerLink } from '../../src/customer/customer-link';
import { inquiries, shipments, trackingEvents } from '../../src/db/schema/shipments';
import { inquiryOutcomes, notifications } from '../../src/db/schema/messages';
import { shops } from '../../src/db/schema/shops';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import type { Mailer } from '../../src/mail/mailer';
import { DEFAULT_MESSAGING } from '../../src/messages/settings';
import type { ShipmentRegistration, TrackingStatus } from '../../workflows/shipment.contract';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

const keys = DEFAULT_MESSAGING.customerLinkKeys;
const DAY = 86_400_000;
let api: ApiUnderTest;
let sink: MailSink;
let mailer: Mailer;

beforeAll(async () => {
  api = await startApi({ app: { customerPageLimits: { perLinkPerHour: 8 } } });
  sink = await startMailSink({ smtpPort: 0 });
  mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${sink.smtpPort}`, from: 'care@shop.test' });
});
afterAll(async () => {
  mailer?.close?.();
  await sink?.stop();
  await api?.close();
});

async function aShipment(
  locale: string,
  scans: { status: TrackingStatus; at: string; city?: string }[] = [],
  overrides: Partial<ShipmentRegistration> = {},
) {
  const reg = aRegistration({
    customer: { name: 'Ada Secretname', email: `ada.${uniqueId('c')}@example.com`, locale },
    destination: {
      country: 'JP',
      name: 'Ada Secretname',
      line1: '7-1 Hiddenstreet',
      city: 'Tokyo',
      postalCode: '100-0001',
    },
    expectedDeliveryAt: '2030-12-20T03:00:00.000Z',
    ...overrides,
  });
  await insertShipmentRow(api.db, reg);
  for (const [i, s] of scans.entries())
    await api.db.insert(trackingEvents).values({
      shipmentId: reg.shipmentId,
      eventId: `e${i}`,
      occurredAt: new Date(s.at),
      status: s.status,
      location: { country: 'JP', ...(s.city ? { city: s.city } : {}) },
      source: 'test',
    });
  return reg;
}

const pathOf = (shipmentId: string, expiresAt = new Date(Date.now() + 30 * DAY)) =>
  `/t/${signCustomerLink(shipmentId, keys, expiresAt)}`;

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(api.url + path, { headers });

function formFields(html: string, kind?: string) {
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1];
  const state = /name="state" value="([^"]*)"/.exec(html)?.[1];
  expect(csrf && nonce).toBeTruthy();
  return { csrf: csrf!, nonce: nonce!, state: state ?? '', ...(kind ? { kind } : {}) };
}

const post = (path: string, fields: Record<string, string>, accept = 'text/html') =>
  fetch(api.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams(fields).toString(),
  });

describe('the customer page of a shipment', () => {
  it('shows the timeline in the customer’s language and time zone, the expected date, and no personal data', async () => {
    const reg = await aShipment('ja-JP', [
      { status: 'in_transit', at: '2026-12-10T15:30:00Z', city: 'Osaka' },
      { status: 'customs', at: '2026-12-09T01:00:00Z' },
    ]);
    const res = await get(pathOf(reg.shipmentId));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('お荷物の現在地');
    expect(html).toContain('通関中');
    // 15:30 UTC is 00:30 the next day in Tokyo.
    expect(html).toContain('2026/12/11 0:30');
    expect(html).toContain('Osaka, 日本');
    expect(html).toContain('2030年12月20日');
    expect(html).toContain(reg.trackingNumber);
    for (const secret of [reg.customer.email, reg.customer.name, reg.destination.line1, '100-0001'])
      expect(html).not.toContain(secret);
    // Plain HTML forms that work without the script; the only script is our own.
    expect(html).toMatch(/<form method="post" action="\/t\/[^"]+\/help">/);
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/customer-page.js" defer>']);
    const script = await get('/customer-page.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
  });

  it('a replacement shows its tracking number', async () => {
    const original = await aShipment('de-DE');
    await aShipment('de-DE', [], {
      shipmentId: `${original.shipmentId}~R1`,
      replacementOf: original.shipmentId,
      trackingNumber: 'RPL-NEW-42',
    });
    await api.db
      .update(shipments)
      .set({ replacesShipmentId: original.shipmentId })
      .where(eq(shipments.shipmentId, `${original.shipmentId}~R1`));
    const html = await (await get(pathOf(original.shipmentId))).text();
    expect(html).toContain('Ihr Ersatz');
    expect(html).toContain('RPL-NEW-42');
  });

  it('an altered link is 404, an expired one 410, and neither reveals the shipment', async () => {
    const reg = await aShipment('es-ES');
    const good = pathOf(reg.shipmentId);
    const altered = good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const bad = await get(altered, { 'accept-language': 'es' });
    expect(bad.status).toBe(404);
    const badHtml = await bad.text();
    expect(badHtml).toContain('Este enlace no es válido');
    expect(badHtml).not.toContain(reg.trackingNumber);

    const expired = await get(pathOf(reg.shipmentId, new Date(Date.now() - 1000)));
    expect(expired.status).toBe(410);
    expect(await expired.text()).not.toContain(reg.trackingNumber);

    // A link still in date stops working 90 days after delivery.
    await api.db
      .update(shipments)
      .set({ stage: 'delivered', deliveredAt: new Date(Date.now() - 91 * DAY) })
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const ended = await get(good);
    expect(ended.status).toBe(410);
    expect(await ended.text()).toContain('Este enlace ha caducado');
  });

  it('delivered but not received shows the carrier’s word first; the form becomes one inquiry however often it is sent', async () => {
    const reg = await aShipment('en-GB', [
      { status: 'delivered', at: '2026-12-05T09:00:00Z', city: 'Yokohama' },
    ]);
    await api.db
      .update(shipments)
      .set({
        stage: 'delivered',
        deliveredAt: new Date(),
        snapshot: {
          carrierSummary: {
            provider: 'sandbox',
            native: 'Delivered',
            status: 'delivered',
            receivedAt: '2026-12-05T09:10:00Z',
            eventCountAt: 1,
            proofOfDelivery: {
              deliveredAt: '2026-12-05T09:00:00Z',
              signedBy: 'K. Sato',
              note: 'Left at front door',
            },
          },
        } as never,
      })
      .where(eq(shipments.shipmentId, reg.shipmentId));
    const path = pathOf(reg.shipmentId);
    const html = await (await get(path)).text();
    const dnr = html.slice(html.indexOf('id="help-delivered_not_received"'));
    expect(dnr).toContain('The carrier says it delivered your parcel');
    expect(dnr).toContain('Yokohama');
    expect(dnr).toContain('Signed by: K. Sato');
    expect(dnr).toContain('Left at front door');
    expect(dnr).toContain('check with your neighbours');
    expect(dnr).toContain('I checked, it is still not found');

    const fields = { ...formFields(html, 'delivered_not_received'), details: 'Not at the door' };
    const first = await post(`${path}/help`, fields);
    expect(first.status).toBe(200);
    const ack = await first.text();
    expect(ack).toContain('Thank you, we have your message.');
    const again = await post(`${path}/help`, fields);
    expect(again.status).toBe(200);
    const stored = await api.db
      .select()
      .from(inquiryOutcomes)
      .where(eq(inquiryOutcomes.shipmentId, reg.shipmentId));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ intent: 'delivered_not_received' });
    const recorded = await api.db
      .select()
      .from(inquiries)
      .where(eq(inquiries.shipmentId, reg.shipmentId));
    expect(recorded).toHaveLength(1);
  });

  it('a damaged parcel goes to a person, and the page says when they answer', async () => {
    const reg = await aShipment('fr-FR');
    const path = pathOf(reg.shipmentId);
    const html = await (await get(path)).text();
    const res = await post(`${path}/help`, {
      ...formFields(html, 'damaged'),
      details: '<b>cassé</b>',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Un collègue vous répondra sous 48 heures.');
    const [alert] = await api.db
      .select()
      .from(notifications)
      .where(
        and(eq(notifications.shipmentId, reg.shipmentId), eq(notifications.kind, 'ops_alert')),
      );
    expect(alert?.body).toContain('arrived damaged');
  });

  it('a form without this link’s token is refused, and a flood is limited', async () => {
    const a = await aShipment('en-US');
    const b = await aShipment('en-US');
    const htmlA = await (await get(pathOf(a.shipmentId))).text();
    const pathB = pathOf(b.shipmentId);
    const forged = await post(`${pathB}/help`, { ...formFields(htmlA, 'refund') });
    expect(forged.status).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++)
      statuses.push((await post(`${pathB}/chat`, { csrf: 'x', q: 'hi' })).status);
    expect(statuses.slice(0, 7).every((s) => s === 403)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('a Spanish conversation of three turns ends with a hand-over acknowledgement and an ops alert', async () => {
    const reg = await aShipment('es-MX', [{ status: 'in_transit', at: '2026-12-01T10:00:00Z' }]);
    const path = pathOf(reg.shipmentId);
    let fields = formFields(await (await get(path)).text());
    const answers: { answer: string; intent: string; handover: boolean }[] = [];
    for (const q of [
      '¿Dónde está mi paquete?',
      '¿Por qué no hay novedades?',
      'Quiero hablar con una persona',
    ]) {
      const res = await post(`${path}/chat`, { ...fields, q }, 'application/json');
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        answer: string;
        intent: string;
        handover: boolean;
        state: string;
      };
      answers.push(body);
      fields = { ...fields, state: body.state };
    }
    expect(answers.map((a) => a.intent)).toEqual(['where_is_it', 'why_no_update', 'person']);
    expect(answers[0]!.answer).toContain('Tu paquete');
    expect(answers[2]).toMatchObject({ handover: true });
    expect(answers[2]!.answer).toContain('te responderá por correo en menos de 48 horas');
    const [alert] = await api.db
      .select()
      .from(notifications)
      .where(
        and(eq(notifications.shipmentId, reg.shipmentId), eq(notifications.kind, 'ops_alert')),
      );
    expect(alert?.body).toContain('Quiero hablar con una persona');

    // Without the script the same form answers with the page, the conversation on it.
    const page = await post(`${path}/chat`, { ...fields, q: '¿Cuándo llegará?' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('¿Dónde está mi paquete?');
    expect(html).toContain('Lo esperamos');
  });

  it('wears the shop’s name, logo and colour, with readable text on the colour', async () => {
    const shopId = uniqueId('shop');
    await api.db.insert(shops).values({
      shopId,
      platform: 'shopify',
      domain: `${shopId}.myshopify.com`,
      apiUrl: `https://${shopId}.myshopify.com`,
      credentials: 'v1.k1.x.y',
      originCountry: 'CN',
      senderName: 'Mugs & Co',
      logoUrl: 'https://cdn.example.com/mugs.png',
      brandColor: '#ffd60a',
    });
    const reg = await aShipment('en-US');
    await api.db.update(shipments).set({ shopId }).where(eq(shipments.shipmentId, reg.shipmentId));
    const html = await (await get(pathOf(reg.shipmentId))).text();
    expect(html).toContain('<p>Mugs &amp; Co</p>');
    expect(html).toContain('<img src="https://cdn.example.com/mugs.png" alt="Mugs &amp; Co"');
    // Yellow takes black text (white on it would fail AA).
    expect(html).toContain('--brand: #ffd60a; --on-brand: #000000;');

    const refused = await api.call('PUT', `/v1/shops/${shopId}`, {
      as: 'admin',
      body: {
        platform: 'shopify',
        domain: `${shopId}.myshopify.com`,
        originCountry: 'CN',
        brandColor: 'yellow',
        logoUrl: 'http://cdn.example.com/mugs.png',
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'brandColor',
      'logoUrl',
    ]);
  });

  it('every customer mail carries a link that opens the page', async () => {
    const reg = await aShipment('pt-BR');
    const activities = createNotifyActivities({
      db: api.db,
      carriers: {} as never,
      mailer,
      opsEmail: 'ops@shop.test',
      messaging: { publicUrl: `${api.url}/` },
    });
    await activities.sendNotification({
      idempotencyKey: `shipment:${reg.shipmentId}:notify:delay`,
      shipmentId: reg.shipmentId,
      kind: 'delay_notice',
      to: reg.customer.email,
      locale: 'pt-BR',
      vars: {},
    });
    const mail = await sink.waitFor((m) => m.to.includes(reg.customer.email), 5_000);
    expect(mail.text).toContain('Acompanhe seu pacote e peça ajuda aqui:');
    const link = /https?:\/\/\S+\/t\/[A-Za-z0-9_.-]+/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();
    expect(mail.html).toContain(`<a href="${link}">`);
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Onde está seu pacote');
  });
});
