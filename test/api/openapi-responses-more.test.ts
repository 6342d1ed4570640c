import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsRepository } from '../../src/analytics/analytics.repository';
import { purchaseSuggestions, reportSnapshots, surveys } from '../../src/db/schema';
import { computeReportFigures } from '../../src/reports/report.figures';
import { aRegistration, uniqueId } from '../helpers/factories';
import { aFiledClaim } from '../helpers/claims';
import { validate, type Schema } from '../helpers/json-schema';
import { documentedAnswers, type OpenApiDocument } from '../helpers/openapi-documented';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';
import { serve, type ApiUnderTest } from './harness';

// The real worker runs: inquiries reach their workflow and the history has something to tell.
const SANDBOX_SECRET = `sandbox-${uniqueId('secret')}`;
let stack: TestStack;
let api: ApiUnderTest;
let doc: OpenApiDocument;
beforeAll(async () => {
  stack = await startTestStack();
  api = await serve({
    db: stack.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    webhookSecrets: { sandbox: SANDBOX_SECRET },
  });
  const served = await api.call('GET', '/openapi.json');
  expect(served.status).toBe(200);
  doc = served.body;
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
});

const expectDocumented = documentedAnswers(() => doc);

describe('the remaining routes answer as their documented response schemas say', () => {
  it('liveness and readiness are answered as documented, also when a dependency is down', async () => {
    expectDocumented('GET', '/healthz', await api.call('GET', '/healthz'), 200);
    expectDocumented('GET', '/readyz', await api.call('GET', '/readyz'), 200);
    const unready = await serve({
      db: stack.db,
      temporal: stack.client,
      taskQueue: stack.taskQueue,
      ready: () => Promise.resolve({ db: true, temporal: false }),
    });
    try {
      const res = await unready.call('GET', '/readyz');
      expectDocumented('GET', '/readyz', res, 503);
      expect(res.body.failed).toEqual(['temporal']);
    } finally {
      await unready.close();
    }
  });

  it('an API key is created, listed and revoked in the documented shapes', async () => {
    const created = await api.call('POST', '/v1/api-keys', {
      as: 'admin',
      body: { role: 'analyst', name: 'dashboards' },
    });
    expectDocumented('POST', '/v1/api-keys', created, 201);
    const list = await api.call('GET', '/v1/api-keys?limit=100', { as: 'admin' });
    expectDocumented('GET', '/v1/api-keys', list, 200);
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ id: created.body.id, revokedAt: null }),
    );
    const revoked = await api.call('DELETE', `/v1/api-keys/${created.body.id}`, { as: 'admin' });
    expectDocumented('DELETE', '/v1/api-keys/{id}', revoked, 200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
  });

  it('warehouses, stock levels and purchase suggestions are answered as documented', async () => {
    const id = uniqueId('wh-doc');
    const sku = uniqueId('SKU');
    const body = { name: 'Doc warehouse', country: 'DE', kind: 'overseas' };
    expectDocumented(
      'PUT',
      '/v1/warehouses/{id}',
      await api.call('PUT', `/v1/warehouses/${id}`, { as: 'admin', body }),
      201,
    );
    expectDocumented(
      'PUT',
      '/v1/warehouses/{id}',
      await api.call('PUT', `/v1/warehouses/${id}`, {
        as: 'admin',
        body: { ...body, region: 'EU' },
      }),
      200,
    );
    const imported = await api.call('POST', '/v1/stock:import', {
      as: 'ingest',
      body: { rows: [{ warehouseId: id, sku, quantity: 7 }] },
    });
    expectDocumented('POST', '/v1/stock:import', imported, 200);
    expect(imported.body).toMatchObject({ replayed: false, rows: 1, created: 1 });

    const levels = await api.call('GET', `/v1/stock?warehouse=${id}`, { as: 'ops' });
    expectDocumented('GET', '/v1/stock', levels, 200);
    expect(levels.body.items).toEqual([expect.objectContaining({ sku, onHand: 7, available: 7 })]);
    const warehouse = await api.call('GET', `/v1/warehouses/${id}`, { as: 'ops' });
    expectDocumented('GET', '/v1/warehouses/{id}', warehouse, 200);
    expect(warehouse.body.stock).toHaveLength(1);
    expectDocumented(
      'GET',
      '/v1/warehouses',
      await api.call('GET', '/v1/warehouses?limit=5', { as: 'ops' }),
      200,
    );

    // As a reship that found no warehouse leaves it: no preferred warehouse either.
    await api.db.insert(purchaseSuggestions).values({
      idempotencyKey: uniqueId('reserve'),
      shipmentId: uniqueId('SHP'),
      sku,
      warehouseId: null,
      quantityMissing: 1,
    });
    const suggestions = await api.call('GET', '/v1/purchase-suggestions', { as: 'ops' });
    expectDocumented('GET', '/v1/purchase-suggestions', suggestions, 200);
    expect(suggestions.body.items).toContainEqual(
      expect.objectContaining({ sku, warehouseId: null }),
    );
  });

  it('an inquiry, its communication log, the outbox and the history are answered as documented', async () => {
    const reg = aRegistration();
    stack.sandbox.store.addEvents(reg.trackingNumber, []);
    const registered = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
    expect(registered.status).toBe(201);

    const inquiry = await api.call('POST', `/v1/shipments/${reg.shipmentId}/inquiries`, {
      as: 'ingest',
      body: {
        inquiryId: uniqueId('INQ'),
        channel: 'email',
        message: 'Where is my parcel? It still has not arrived.',
        receivedAt: new Date().toISOString(),
      },
    });
    expectDocumented('POST', '/v1/shipments/{id}/inquiries', inquiry, 202);
    expect(inquiry.body).toMatchObject({ action: 'replied', duplicate: false });

    await api.db.insert(surveys).values({
      surveyId: uniqueId('SRV'),
      shipmentId: reg.shipmentId,
      locale: 'en',
      rating: 4,
      answeredAt: new Date(),
    });
    const log = await api.call('GET', `/v1/shipments/${reg.shipmentId}/messages`, { as: 'ops' });
    expectDocumented('GET', '/v1/shipments/{id}/messages', log, 200);
    expect(log.body.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['message', 'inquiry', 'survey_answer']),
    );

    expectDocumented(
      'GET',
      '/v1/messages',
      await api.call('GET', '/v1/messages?limit=20', { as: 'ops' }),
      200,
    );

    const history = await waitUntil(
      `${reg.shipmentId} history with the inquiry`,
      () => api.call('GET', `/v1/shipments/${reg.shipmentId}/history`, { as: 'ops' }),
      (r) => r.status === 200 && r.body.entries.length > 1,
    );
    expectDocumented('GET', '/v1/shipments/{id}/history', history, 200);
  });

  it('template overrides and the template catalogue are answered as documented', async () => {
    const put = await api.call('PUT', '/v1/templates/delay_notice/nl', {
      as: 'admin',
      body: { subject: 'Vertraging', text: 'Uw pakket is vertraagd.' },
    });
    expectDocumented('PUT', '/v1/templates/{kind}/{locale}', put, 201);
    expect(put.body).not.toHaveProperty('html');
    const again = await api.call('PUT', '/v1/templates/delay_notice/nl', {
      as: 'admin',
      body: { subject: 'Vertraging', text: 'Uw pakket is vertraagd.', html: '<p>Vertraagd</p>' },
    });
    expectDocumented('PUT', '/v1/templates/{kind}/{locale}', again, 200);
    const catalogue = await api.call('GET', '/v1/templates', { as: 'ops' });
    expectDocumented('GET', '/v1/templates', catalogue, 200);
    expect(catalogue.body.overrides).toContainEqual(
      expect.objectContaining({ kind: 'delay_notice', locale: 'nl', html: '<p>Vertraagd</p>' }),
    );
  });

  it('survey results are answered as documented, with and without a period', async () => {
    expectDocumented(
      'GET',
      '/v1/analytics/surveys',
      await api.call('GET', '/v1/analytics/surveys', { as: 'analyst' }),
      200,
    );
    const since = await api.call(
      'GET',
      `/v1/analytics/surveys?from=${encodeURIComponent('2020-01-01T00:00:00Z')}`,
      { as: 'analyst' },
    );
    expectDocumented('GET', '/v1/analytics/surveys', since, 200);
    expect(since.body.from).toBe('2020-01-01T00:00:00Z');
  });

  it('a signed webhook delivery and its redelivery are acknowledged as documented, then counted', async () => {
    const tracking = uniqueId('NOBODY');
    const raw = JSON.stringify({
      type: 'tracking.updated',
      deliveryId: uniqueId('dlv'),
      trackingNumber: tracking,
      events: [
        { eventId: uniqueId('EV'), occurredAt: new Date().toISOString(), status: 'in_transit' },
      ],
    });
    const signed = {
      rawBody: raw,
      headers: {
        'content-type': 'application/json',
        'x-sandbox-signature': createHmac('sha256', SANDBOX_SECRET).update(raw).digest('hex'),
      },
    };
    const first = await api.call('POST', '/v1/webhooks/sandbox', signed);
    expectDocumented('POST', '/v1/webhooks/{provider}', first, 200);
    expect(first.body).toMatchObject({ duplicate: false, kind: 'tracking', unknown: [tracking] });
    // Unknown references are listed, not counted: a count would not fit the documented answer.
    const received: Schema = { $ref: '#/components/schemas/WebhookReceived' };
    expect(validate({ ...first.body, unknown: 1 }, received, doc)).not.toEqual([]);
    const again = await api.call('POST', '/v1/webhooks/sandbox', signed);
    expectDocumented('POST', '/v1/webhooks/{provider}', again, 200);
    expect(again.body.duplicate).toBe(true);

    const stats = await api.call('GET', '/v1/webhooks/stats', { as: 'analyst' });
    expectDocumented('GET', '/v1/webhooks/stats', stats, 200);
    expect(stats.body.providers).toContainEqual(
      expect.objectContaining({ provider: 'sandbox', redeliveries: expect.any(Number) }),
    );
  });

  it('daily reports are listed and read with their figures as documented', async () => {
    const start = new Date(Date.UTC(2026, 0, 1 + Math.floor(Math.random() * 300)));
    const end = new Date(start.getTime() + 86_400_000);
    const { figures, worstLanes } = await computeReportFigures(
      api.db,
      createAnalyticsRepository(api.db),
      { start, end, minSample: 1, worstLanes: 3, lookbackDays: 30 },
    );
    const [row] = await api.db
      .insert(reportSnapshots)
      .values({
        periodStart: start,
        periodEnd: end,
        timeZone: 'UTC',
        workflowId: uniqueId('report'),
        figures,
        worstLanes,
      })
      .returning({ id: reportSnapshots.id });
    const list = await api.call('GET', '/v1/reports', { as: 'analyst' });
    expectDocumented('GET', '/v1/reports', list, 200);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: row!.id }));
    const report = await api.call('GET', `/v1/reports/${row!.id}`, { as: 'analyst' });
    expectDocumented('GET', '/v1/reports/{id}', report, 200);
  });

  it('the evidence package of a claim is answered as documented', async () => {
    const claim = await aFiledClaim(api.db);
    const res = await api.call('GET', `/v1/claims/${claim.id}/evidence`, { as: 'analyst' });
    expectDocumented('GET', '/v1/claims/{id}/evidence', res, 200);
    expect(res.body.claim).toMatchObject({ shipmentId: claim.shipmentId, amountClaimed: 42 });
  });
});
