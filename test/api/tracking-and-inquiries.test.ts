import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inquiries, trackingEvents } from '../../src/db/schema';
import {
  customerInquirySignal,
  shipmentWorkflowId,
  trackingEventsSignal,
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

/** The payloads of every signal of that name the shipment's workflow has received, in order. */
const signalsOf = (shipmentId: string, name: string) =>
  signalsReceived(api.client, shipmentWorkflowId(shipmentId), name);

async function registered() {
  const reg = aRegistration();
  const res = await api.call('POST', '/v1/shipments', { as: 'ingest', body: reg });
  expect(res.status).toBe(201);
  return reg;
}

const scan = (
  reg: { carrier: string; trackingNumber: string },
  eventId: string,
  status = 'in_transit',
  occurredAt = '2025-03-01T10:00:00Z',
) => ({ carrier: reg.carrier, trackingNumber: reg.trackingNumber, eventId, occurredAt, status });

describe('pushing tracking events', () => {
  it('counts new, duplicate and unknown events and tells each workflow once with all its events', async () => {
    const a = await registered();
    const b = await registered();
    const stranger = { carrier: 'yanwen', trackingNumber: uniqueId('UNKNOWN') };

    const first = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: {
        events: [
          scan(a, 'A1', 'info_received', '2025-03-01T08:00:00Z'),
          {
            ...scan(a, 'A2', 'in_transit'),
            location: { country: 'CN', city: 'Shenzhen' },
            description: 'Departed',
          },
          scan(b, 'B1'),
          scan(stranger, 'X1'),
        ],
      },
    });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ accepted: 3, duplicates: 0, unknown: 1 });

    // Sent again with one new event: the old ones are duplicates, yet the workflow hears all of
    // them again (it dedupes by eventId), so a retry after a failed signal is safe.
    const second = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: {
        events: [scan(a, 'A1', 'info_received', '2025-03-01T08:00:00Z'), scan(a, 'A3', 'customs')],
      },
    });
    expect(second.body).toEqual({ accepted: 1, duplicates: 1, unknown: 0 });

    const toA = await signalsOf(a.shipmentId, trackingEventsSignal.name);
    expect(toA).toEqual([
      [
        { eventId: 'A1', occurredAt: '2025-03-01T08:00:00Z', status: 'info_received' },
        {
          eventId: 'A2',
          occurredAt: '2025-03-01T10:00:00Z',
          status: 'in_transit',
          location: { country: 'CN', city: 'Shenzhen' },
          description: 'Departed',
        },
      ],
      [
        { eventId: 'A1', occurredAt: '2025-03-01T08:00:00Z', status: 'info_received' },
        { eventId: 'A3', occurredAt: '2025-03-01T10:00:00Z', status: 'customs' },
      ],
    ]);
    expect(await signalsOf(b.shipmentId, trackingEventsSignal.name)).toHaveLength(1);

    const stored = await api.db
      .select({ eventId: trackingEvents.eventId, source: trackingEvents.source })
      .from(trackingEvents)
      .where(eq(trackingEvents.shipmentId, a.shipmentId));
    expect(stored.map((r) => r.eventId).sort()).toEqual(['A1', 'A2', 'A3']);
    expect(stored.every((r) => r.source === 'api')).toBe(true);
  });

  it('blank optional fields of an event are read as left out', async () => {
    const a = await registered();
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: {
        events: [
          {
            ...scan(a, 'E1'),
            subStatus: '',
            description: '',
            carrierCode: '  ',
            expectedDeliveryAt: '',
            location: { country: '', city: 'Leipzig', postalCode: ' ' },
          },
        ],
      },
    });
    expect(res.status).toBe(202);
    const [events] = (await signalsOf(a.shipmentId, trackingEventsSignal.name)) as unknown[][];
    expect(events).toStrictEqual([
      {
        eventId: 'E1',
        occurredAt: '2025-03-01T10:00:00Z',
        status: 'in_transit',
        location: { city: 'Leipzig' },
      },
    ]);
    const [row] = await api.db
      .select()
      .from(trackingEvents)
      .where(and(eq(trackingEvents.shipmentId, a.shipmentId), eq(trackingEvents.eventId, 'E1')));
    expect(row!.subStatus).toBeNull();
    expect(row!.description).toBeNull();
    expect(row!.location).toStrictEqual({ city: 'Leipzig' });
  });

  it('a blank required field of an event is still refused', async () => {
    const a = await registered();
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: { events: [{ ...scan(a, 'E1'), eventId: '', trackingNumber: '' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'events.0.eventId',
      'events.0.trackingNumber',
    ]);
  });

  it('the same event twice in one batch is stored once', async () => {
    const a = await registered();
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: { events: [scan(a, 'D1'), scan(a, 'D1')] },
    });
    expect(res.body).toEqual({ accepted: 1, duplicates: 1, unknown: 0 });
  });

  it('an event with an unknown status is refused with its path', async () => {
    const a = await registered();
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: { events: [scan(a, 'S1'), scan(a, 'S2', 'teleported')] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['events.1.status']);
    expect(await signalsOf(a.shipmentId, trackingEventsSignal.name)).toEqual([]);
  });

  it('a batch over 1000 events is refused', async () => {
    const events = Array.from({ length: 1001 }, (_, i) =>
      scan({ carrier: 'c', trackingNumber: 't' }, `E${i}`),
    );
    const res = await api.call('POST', '/v1/tracking-events', { as: 'ingest', body: { events } });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { path: 'events', message: 'must hold at most 1000 events; split the batch' },
    ]);
  });

  it('events for a shipment whose workflow has ended are stored and not an error', async () => {
    const a = await registered();
    await api.client.workflow.getHandle(shipmentWorkflowId(a.shipmentId)).terminate('ended');
    const res = await api.call('POST', '/v1/tracking-events', {
      as: 'ingest',
      body: { events: [scan(a, 'L1')] },
    });
    expect(res).toMatchObject({ status: 202, body: { accepted: 1, duplicates: 0, unknown: 0 } });
  });
});

describe('customer inquiries', () => {
  const inquiry = (inquiryId: string) => ({
    inquiryId,
    channel: 'email',
    message: 'Where is my parcel?',
    receivedAt: '2025-03-02T09:00:00Z',
    locale: 'de-DE',
  });

  it('an inquiry is stored once and passed to the workflow', async () => {
    const a = await registered();
    const first = await api.call('POST', `/v1/shipments/${a.shipmentId}/inquiries`, {
      as: 'ingest',
      body: inquiry('Q1'),
    });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      shipmentId: a.shipmentId,
      inquiryId: 'Q1',
      duplicate: false,
      signalled: true,
      // Classified before the workflow hears of it; answered with the current status.
      intent: 'where_is_it',
      language: 'en',
      action: 'replied',
    });
    const again = await api.call('POST', `/v1/shipments/${a.shipmentId}/inquiries`, {
      as: 'ingest',
      body: inquiry('Q1'),
    });
    expect(again.body.duplicate).toBe(true);

    const rows = await api.db
      .select()
      .from(inquiries)
      .where(and(eq(inquiries.shipmentId, a.shipmentId), eq(inquiries.inquiryId, 'Q1')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: 'email',
      locale: 'de-DE',
      message: 'Where is my parcel?',
    });
    const classified = { ...inquiry('Q1'), intent: 'where_is_it' };
    expect(await signalsOf(a.shipmentId, customerInquirySignal.name)).toEqual([
      classified,
      classified,
    ]);
  });

  it('an inquiry about an unknown shipment is a 404 problem', async () => {
    const res = await api.call('POST', '/v1/shipments/NOPE-2/inquiries', {
      as: 'ingest',
      body: inquiry('Q9'),
    });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('shipment.not_found');
  });

  it('an inquiry without a message is refused', async () => {
    const a = await registered();
    const res = await api.call('POST', `/v1/shipments/${a.shipmentId}/inquiries`, {
      as: 'ingest',
      body: { ...inquiry('Q2'), message: '' },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'message', message: 'must not be empty' }]);
  });
});
