import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyActivities } from '../../activities/notify.activities';
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
async function surveySentFor(locale = 'en-GB') {
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
});
