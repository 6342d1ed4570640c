/**
 * The one path by which tracking events reach shipments, whether pushed to
 * `POST /v1/tracking-events` or received as provider webhooks: store, then tell each workflow.
 */
import type { Logger } from 'pino';
import type { TrackingEvent } from '../../workflows/shipment.contract';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import { withFindings } from './description-rules';
import type { TrackingRepository } from './tracking.repository';

/** Signals sent at once; a batch of 1000 events for 1000 shipments must not open 1000 calls. */
const SIGNAL_CONCURRENCY = 16;

export interface IngestResult {
  /** Events stored for the first time. */
  accepted: number;
  /** Events we already had. */
  duplicates: number;
  /** Shipments whose workflow could not be told (Temporal unreachable): the caller must retry. */
  failed: string[];
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export function createTrackingIngest(deps: {
  tracking: TrackingRepository;
  workflows: WorkflowGateway;
  logger: Logger;
}) {
  const { tracking, workflows } = deps;

  /** Tells one workflow; one that never started (lost start) is started with the events. */
  async function tell(
    shipmentId: string,
    events: TrackingEvent[],
    log: Logger,
    reader: TrackingRepository,
  ): Promise<void> {
    if (await workflows.signalTrackingEvents(shipmentId, events)) return;
    const reg = (await reader.registrations([shipmentId])).get(shipmentId);
    // A finished shipment is never restarted, even once Temporal has forgotten its run.
    const open =
      reg !== undefined &&
      !reg.closed &&
      (await workflows.signalWithStartTrackingEvents(reg.registration, reg.registeredAt, events));
    if (!open) log.info({ shipmentId }, 'tracking events for a closed workflow');
  }

  /**
   * Tells each shipment's workflow its events; returns the shipments whose workflow could not be
   * told. `reader` reads registrations for lost starts: a transaction's, when the caller holds one
   * (reading through the pool then could wait on a connection that waits on this transaction).
   */
  async function signal(
    rows: { shipmentId: string; event: TrackingEvent }[],
    log: Logger,
    reader: TrackingRepository = tracking,
  ): Promise<string[]> {
    const byShipment = new Map<string, TrackingEvent[]>();
    for (const { shipmentId, event } of rows) {
      const list = byShipment.get(shipmentId) ?? [];
      list.push(event);
      byShipment.set(shipmentId, list);
    }
    // What each description says happened, read once here for every path (API, webhooks).
    for (const [shipmentId, list] of byShipment) byShipment.set(shipmentId, withFindings(list));
    const failed: string[] = [];
    await forEachLimited([...byShipment], SIGNAL_CONCURRENCY, async ([shipmentId, list]) => {
      try {
        await tell(shipmentId, list, log, reader);
      } catch (err) {
        log.error({ err, shipmentId }, 'tracking signal failed');
        failed.push(shipmentId);
      }
    });
    return failed;
  }

  async function ingest(
    rows: { shipmentId: string; event: TrackingEvent }[],
    source: string,
    log: Logger = deps.logger,
  ): Promise<IngestResult> {
    const accepted = await tracking.insert(rows, source);
    // Duplicates are signalled too: the workflow dedupes by eventId, and a sender retrying after a
    // failed signal must reach the workflow although the rows are already stored.
    const failed = await signal(rows, log);
    return { accepted, duplicates: rows.length - accepted, failed };
  }
  return Object.assign(ingest, { signal });
}
export type TrackingIngest = ReturnType<typeof createTrackingIngest>;
