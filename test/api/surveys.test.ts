import { createHash, createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../activities/notify.activities';
import { surveys } from '../../src/db/schema';
import { createSmtpMailer } from '../../src/mail/smtp-mailer';
import { startMailSink, type MailSink } from '../../src/mail/smtp-sink';
import type { Mailer } from '../../src/mail/mailer';
import { aRegistration, insertShipmentRow, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

let api: ApiUnderTest;
let sink: MailSink;
let mailer: Mailer;
beforeAll(async () => {
  api = await startApi();
  sink = await startMailSink({ smtpPort: 0 });
  mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${sink.smtpPort}`, from: 'care@shop.test' });
});
afterAll(async () => {
  mailer?.close?.();
  await sink?.stop();
  await api?.close();
});

/** The replacement `X~R1` arrived: its workflow sends the survey, as the worker would. */
async function surveySentFor(locale = 'en-GB', clock?: () => Date) {
  const original = aRegistration();
  const reg = aRegistration({
    shipmentId: `${original.shipmentId}~R1`,
    orderId: original.orderId,
    replacementOf: original.shipmentId,
    customer: { name: 'Ada Buyer', email: `ada.${uniqueId('c')}@example.com`, locale },
  });
  await insertShipmentRow(api.db, reg);
  const activities = createNotifyActivities({
    db: api.db,
    carriers: {} as never,
    mailer,
    opsEmail: 'ops@shop.test',
    messaging: { publicUrl: `${api.url}/` },
    ...(clock ? { clock } : {}),
  });
  const sent = await activities.sendNotification({
    idempotencyKey: `shipment:${reg.shipmentId}:notify:survey`,
    shipmentId: reg.shipmentId,
    kind: 'survey',
    to: reg.customer.email,
    locale,
    vars: {},
  });
  expect(sent).toMatchObject({ kind: 'survey', status: 'sent' });
  const mail = await sink.waitFor((m) => m.to.includes(reg.customer.email), 5_000);
  const link = /https?:\/\/\S+\/survey\/[A-Za-z0-9_.-]+/.exec(mail.text)?.[0];
  expect(link, mail.text).toBeDefined();
  return { reg, mail, link: link!, path: new URL(link!).pathname };
}

const answer = (path: string, body: unknown) =>
  fetch(api.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the satisfaction survey after a replacement arrives', () => {
  it('the mail links a page that takes one answer, and analysts see the results', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const { mail, link, path } = await surveySentFor();
    expect(link.startsWith(`${api.url}/survey/`)).toBe(true);
    expect(mail.html).toContain(`<a href="${link}">`);

    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).not.toMatch(/<script|https?:\/\//);

    const first = await answer(path, { rating: 4, comment: 'Quick and friendly' });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ rating: 4, comment: 'Quick and friendly' });
    const again = await answer(path, { rating: 1 });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(((await again.json()) as { code: string }).code).toBe('survey.already_answered');
    expect(await (await fetch(link)).text()).toContain('already answered');

    const second = await surveySentFor('fr-FR');
    expect((await answer(second.path, { rating: 2 })).status).toBe(201);
    const results = await api.call(
      'GET',
      `/v1/analytics/surveys?from=${since}&to=${new Date(Date.now() + 1000).toISOString()}`,
      { as: 'analyst' },
    );
    expect(results.status).toBe(200);
    expect(results.body).toMatchObject({
      sent: 2,
      count: 2,
      average: 3,
      distribution: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 0 },
      responseRate: 1,
    });
    const csv = await api.call(
      'GET',
      `/v1/analytics/surveys?format=csv&from=${since}&to=${new Date(Date.now() + 1000).toISOString()}`,
      { as: 'analyst' },
    );
    expect(csv.status).toBe(200);
    expect(csv.body).toBe(
      'rating,answers,share\r\n1,0,0\r\n2,1,0.5\r\n3,0,0\r\n4,1,0.5\r\n5,0,0\r\n',
    );
    expect((await api.call('GET', '/v1/analytics/surveys', { as: 'ops' })).status).toBe(403);
  });

  it('the answer shows in the shipment’s communication log', async () => {
    const { reg, path } = await surveySentFor();
    await answer(path, { rating: 5 });
    const log = await api.call('GET', `/v1/shipments/${reg.shipmentId}/messages`, { as: 'ops' });
    expect(log.body.items.map((i: { type: string; kind?: string }) => i.kind ?? i.type)).toEqual([
      'survey',
      'survey_answer',
    ]);
    expect(log.body.items[1]).toMatchObject({ direction: 'in', rating: 5 });
  });

  it('the page speaks the customer’s language and a browser form gets an HTML thank-you', async () => {
    const { link } = await surveySentFor('ja-JP');
    const html = await (await fetch(link)).text();
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('対応はいかがでしたか？');
    const posted = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'rating=5&comment=%E3%81%82%E3%82%8A%E3%81%8C%E3%81%A8%E3%81%86',
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('content-type')).toContain('text/html');
    expect(await posted.text()).toContain('ご回答ありがとうございました。');
  });

  it('a rating outside 1–5 is refused naming the field', async () => {
    const { path } = await surveySentFor();
    const res = await answer(path, { rating: 7 });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: unknown }).errors).toEqual([
      { path: 'rating', message: 'must be a whole number from 1 to 5' },
    ]);
  });

  it('a forged or altered link leads nowhere', async () => {
    const { path } = await surveySentFor();
    const forged = path.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(api.url + forged)).status).toBe(404);
    expect((await answer(forged, { rating: 5 })).status).toBe(404);
    expect((await fetch(`${api.url}/survey/not-a-token`)).status).toBe(404);
  });

  it('sending the survey again (a retried activity) sends nothing new and keeps the same link', async () => {
    const { reg, link } = await surveySentFor();
    const activities = createNotifyActivities({
      db: api.db,
      carriers: {} as never,
      mailer,
      opsEmail: 'ops@shop.test',
      messaging: { publicUrl: api.url },
    });
    await activities.sendNotification({
      idempotencyKey: `shipment:${reg.shipmentId}:notify:survey`,
      shipmentId: reg.shipmentId,
      kind: 'survey',
      to: reg.customer.email,
      locale: 'en',
      vars: {},
    });
    const mails = sink.messages().filter((m) => m.to.includes(reg.customer.email));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain(link);
  });

  it('a two-part link is refused for a new survey, even computed with the right secret', async () => {
    const { reg } = await surveySentFor();
    // How links were made before: an id derived from the message's idempotency key, signed with
    // the (public) default secret. Anyone who knew a shipment id could answer its survey.
    const key = `shipment:${reg.shipmentId}:notify:survey`;
    const derivedId = createHash('sha256').update(`survey:${key}`).digest('base64url').slice(0, 22);
    const forged = `/survey/${legacyToken(derivedId)}`;
    expect((await fetch(api.url + forged)).status).toBe(404);
    expect((await answer(forged, { rating: 1 })).status).toBe(404);
    const [stored] = await api.db
      .select()
      .from(surveys)
      .where(eq(surveys.shipmentId, reg.shipmentId));
    expect(stored?.surveyId).not.toBe(derivedId);
    // The real link signs the random id, a lifetime and nothing else.
    expect(stored?.surveyId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('a link mailed 31 days ago has expired and shows the same plain page as a made-up one', async () => {
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    const { link, path } = await surveySentFor('de-DE', () => longAgo);
    const expired = await fetch(link);
    expect(expired.status).toBe(404);
    const made = await fetch(`${api.url}/survey/${'A'.repeat(22)}.1999999999.${'B'.repeat(43)}`);
    expect(made.status).toBe(404);
    const page = await expired.text();
    expect(page).toBe(await made.text());
    expect(page).toContain('not valid or has expired');
    const posted = await answer(path, { rating: 5 });
    expect(posted.status).toBe(404);
    expect(await posted.json()).toMatchObject({
      code: 'survey.not_found',
      detail: 'This survey link is not valid or has expired.',
    });
  });

  it('a link mailed before links expired works until 30 days after its survey was written', async () => {
    const reg = aRegistration();
    await insertShipmentRow(api.db, reg);
    const recent = uniqueId('legacy');
    const old = uniqueId('legacy');
    await api.db.insert(surveys).values([
      { surveyId: recent, shipmentId: reg.shipmentId, locale: 'en' },
      {
        surveyId: old,
        shipmentId: reg.shipmentId,
        locale: 'en',
        createdAt: new Date(Date.now() - 31 * 86_400_000),
      },
    ]);
    expect((await fetch(`${api.url}/survey/${legacyToken(recent)}`)).status).toBe(200);
    expect((await fetch(`${api.url}/survey/${legacyToken(old)}`)).status).toBe(404);
    expect((await answer(`/survey/${legacyToken(old)}`, { rating: 3 })).status).toBe(404);
  });

  it('two sends of the same survey at once store one survey and mail one link', async () => {
    const original = aRegistration();
    const reg = aRegistration({
      shipmentId: `${original.shipmentId}~R1`,
      replacementOf: original.shipmentId,
      customer: { name: 'Ada Buyer', email: `ada.${uniqueId('c')}@example.com`, locale: 'en' },
    });
    await insertShipmentRow(api.db, reg);
    const activities = createNotifyActivities({
      db: api.db,
      carriers: {} as never,
      mailer,
      opsEmail: 'ops@shop.test',
      messaging: { publicUrl: api.url },
    });
    const send = () =>
      activities.sendNotification({
        idempotencyKey: `shipment:${reg.shipmentId}:notify:survey`,
        shipmentId: reg.shipmentId,
        kind: 'survey',
        to: reg.customer.email,
        locale: 'en',
        vars: {},
      });
    await Promise.all([send(), send(), send()]);
    const stored = await api.db
      .select()
      .from(surveys)
      .where(eq(surveys.shipmentId, reg.shipmentId));
    expect(stored).toHaveLength(1);
    const mail = await sink.waitFor((m) => m.to.includes(reg.customer.email), 5_000);
    expect(mail.text).toContain(`/survey/${stored[0]!.surveyId}.`);
  });
});

/** A link as mailed before links expired: `<id>.<HMAC>` with the development secret. */
function legacyToken(surveyId: string): string {
  const mac = createHmac('sha256', 'parcelwarden-dev-survey-secret')
    .update(`survey:${surveyId}`)
    .digest('base64url');
  return `${surveyId}.${mac}`;
}
