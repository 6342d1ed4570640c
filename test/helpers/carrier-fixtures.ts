/**
 * The rig the real-payload tests share (test/fixtures/carriers, see its SOURCES.md): an API on its
 * own database whose webhook clock the test sets (the payloads are years old), a local server that
 * answers the lookup adapters, and the comparisons of what each path gives.
 */
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import { AfterShipClient } from '../../src/carriers/aftership/aftership.carrier';
import type { TrackResult } from '../../src/carriers/carrier';
import type { Database } from '../../src/db/client';
import { trackingEvents } from '../../src/db/schema';
import { withFindings } from '../../src/tracking/description-rules';
import type { WebhookProvider } from '../../src/webhooks/webhooks.providers';
import type { WebhookRouting } from '../../src/webhooks/webhooks.routing';
import { SIGNATURE_HEADERS, signatureFor } from '../../src/webhooks/webhooks.signatures';
import {
  shipmentWorkflowId,
  trackingEventsSignal,
  trackingSummarySignal,
  type TrackingEvent,
  type TrackingSummary,
} from '../../workflows/shipment.contract';
import { startApi, type ApiUnderTest } from '../api/harness';
import { startProviderServer, type ProviderServer } from '../contract/support/provider-server';
import { aRegistration } from './factories';
import { ownDatabase, type OwnDatabase } from './own-database';
import { signalsReceived } from './payload-key';

export const fixtureText = (name: string): string =>
  readFileSync(new URL(`../fixtures/carriers/${name}`, import.meta.url), 'utf8');
export const fixtureJson = (name: string) => JSON.parse(fixtureText(name)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CarrierFixtureRig {
  api: ApiUnderTest;
  database: Database;
  providers: ProviderServer;
  /** The receiver's clock (ms): set just after each payload's own send time. */
  now: number;
  /** Registers a parcel; `unlisted` for a carrier code outside the catalogue. */
  registered(
    carrier: string,
    trackingNumber: string,
    unlisted?: boolean,
  ): Promise<ReturnType<typeof aRegistration>>;
  /** Delivers the exact bytes, signed with `signature` or as the provider signs them. */
  deliver(
    format: WebhookProvider,
    raw: string,
    signature?: string,
  ): Promise<Record<string, unknown>>;
  /** The events the receiver signalled to the shipment's workflow (all signals, by time). */
  signalled(shipmentId: string): Promise<TrackingEvent[]>;
  /** The stored rows, as the fields of an event they keep. */
  stored(shipmentId: string): Promise<Record<string, unknown>[]>;
  /**
   * Both paths agree: the stored rows, every field of the signalled events (estimate included,
   * and the findings the receiver reads from descriptions) and the provider's summary.
   */
  expectSameBothWays(
    shipmentId: string,
    format: WebhookProvider,
    looked: TrackResult,
  ): Promise<TrackingEvent[]>;
  afterShipLookup(): AfterShipClient;
}

/** Starts the rig before the file's tests and stops it after them. */
export function carrierFixtureRig(
  secrets: Partial<Record<WebhookProvider, string>>,
  routing: WebhookRouting,
): CarrierFixtureRig {
  let own: OwnDatabase;
  const rig = {
    now: 0,
    async registered(carrier: string, trackingNumber: string, unlisted = false) {
      const reg = aRegistration({ carrier, trackingNumber });
      const body = unlisted ? { ...reg, carrierUnlisted: true } : reg;
      const res = await rig.api.call('POST', '/v1/shipments', { as: 'ingest', body });
      expect(res.status).toBe(201);
      return reg;
    },
    async deliver(format: WebhookProvider, raw: string, signature?: string) {
      const header = signature ?? signatureFor(format, Buffer.from(raw, 'utf8'), secrets[format]!);
      const res = await rig.api.call('POST', `/v1/webhooks/${format}`, {
        rawBody: raw,
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADERS[format]]: header },
      });
      expect(res.status).toBe(200);
      return res.body as Record<string, unknown>;
    },
    async signalled(shipmentId: string) {
      const lists = await signalsReceived<TrackingEvent[]>(
        rig.api.client,
        shipmentWorkflowId(shipmentId),
        trackingEventsSignal.name,
      );
      return lists.flat().sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
    },
    async stored(shipmentId: string) {
      const rows = await rig.database.db
        .select()
        .from(trackingEvents)
        .where(eq(trackingEvents.shipmentId, shipmentId))
        .orderBy(trackingEvents.occurredAt, trackingEvents.id);
      return rows.map((r) => ({
        eventId: r.eventId,
        occurredAt: r.occurredAt.toISOString(),
        status: r.status,
        subStatus: r.subStatus ?? undefined,
        description: r.description ?? undefined,
        location: r.location ?? undefined,
        source: r.source,
      }));
    },
    async expectSameBothWays(shipmentId: string, format: WebhookProvider, looked: TrackResult) {
      const pushed = await rig.signalled(shipmentId);
      expect(pushed).toEqual(withFindings(looked.events));
      expect(await rig.stored(shipmentId)).toEqual(
        looked.events.map((e) => ({
          eventId: e.eventId,
          occurredAt: e.occurredAt,
          status: e.status,
          subStatus: e.subStatus,
          description: e.description,
          location: e.location,
          source: `webhook:${format}`,
        })),
      );
      const summaries = await signalsReceived<TrackingSummary>(
        rig.api.client,
        shipmentWorkflowId(shipmentId),
        trackingSummarySignal.name,
      );
      expect(summaries.at(-1)).toEqual(looked.summary);
      return pushed;
    },
    afterShipLookup: () =>
      new AfterShipClient({ apiKey: 'asat_test', baseUrl: rig.providers.baseUrl, timeoutMs: 2000 }),
  } as unknown as CarrierFixtureRig;

  beforeAll(async () => {
    own = await ownDatabase();
    const started = await startApi({
      databaseUrl: own.url,
      app: { webhookSecrets: secrets, webhookRouting: routing, webhookClock: () => rig.now },
    });
    rig.api = started;
    rig.database = started.database;
    rig.providers = await startProviderServer();
  });

  afterAll(async () => {
    await rig.providers?.close();
    await rig.api?.close();
    await own?.drop();
  });

  return rig;
}
