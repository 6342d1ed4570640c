import { Router } from 'express';
import type { Logger } from 'pino';
import { requirePermission } from '../api/auth';
import { parseBody } from '../api/validate';
import { workflowUnavailable } from '../shipments/shipments.errors';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import type { TrackingEvent } from '../../workflows/shipment.contract';
import { pairKey, type TrackingRepository } from './tracking.repository';
import { trackingEventsBody, type TrackingEventInput } from './tracking.schemas';

/** Signals sent at once; a batch of 1000 events for 1000 shipments must not open 1000 calls. */
const SIGNAL_CONCURRENCY = 16;

function toTrackingEvent(e: TrackingEventInput): TrackingEvent {
  const { carrier: _carrier, trackingNumber: _number, ...event } = e;
  return event;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

export function trackingRouter(deps: {
  tracking: TrackingRepository;
  workflows: WorkflowGateway;
  logger: Logger;
}) {
  const { tracking, workflows, logger } = deps;
  const router = Router();

  router.post('/v1/tracking-events', requirePermission('ingest'), async (req, res) => {
    const { events } = parseBody(req, trackingEventsBody);
    const known = await tracking.resolve(events);

    const byShipment = new Map<string, TrackingEvent[]>();
    const rows: { shipmentId: string; event: TrackingEventInput }[] = [];
    for (const event of events) {
      const shipmentId = known.get(pairKey(event.carrier, event.trackingNumber));
      if (!shipmentId) continue;
      rows.push({ shipmentId, event });
      const list = byShipment.get(shipmentId) ?? [];
      list.push(toTrackingEvent(event));
      byShipment.set(shipmentId, list);
    }
    const accepted = await tracking.insert(rows, 'api');

    // Duplicates are signalled too: the workflow dedupes by eventId, and a client retrying after a
    // failed signal must reach the workflow although the rows are already stored.
    const failed: string[] = [];
    await forEachLimited([...byShipment], SIGNAL_CONCURRENCY, async ([shipmentId, list]) => {
      try {
        const open = await workflows.signalTrackingEvents(shipmentId, list);
        if (!open)
          (req.log ?? logger).info({ shipmentId }, 'tracking events for a closed workflow');
      } catch (err) {
        (req.log ?? logger).error({ err, shipmentId }, 'tracking signal failed');
        failed.push(shipmentId);
      }
    });
    if (failed.length) {
      throw workflowUnavailable(
        `The events are stored but ${failed.length} shipment workflow(s) could not be told (${failed.slice(0, 5).join(', ')}); send the same batch again.`,
      );
    }
    res.status(202).json({
      accepted,
      duplicates: rows.length - accepted,
      unknown: events.length - rows.length,
    });
  });

  return router;
}
