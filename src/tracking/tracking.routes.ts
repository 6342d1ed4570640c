import { Router } from 'express';
import { requirePermission } from '../http/auth';
import { parseBody } from '../http/validate';
import { workflowUnavailable } from '../shipments/shipments.errors';
import type { TrackingEvent } from '../../workflows/shipment.contract';
import type { TrackingIngest } from './tracking.ingest';
import { pairKey, type TrackingRepository } from './tracking.repository';
import { trackingEventsBody, type TrackingEventInput } from './tracking.schemas';

function toTrackingEvent(e: TrackingEventInput): TrackingEvent {
  const { carrier: _carrier, trackingNumber: _number, ...event } = e;
  return event;
}

export function trackingRouter(deps: { tracking: TrackingRepository; ingest: TrackingIngest }) {
  const { tracking, ingest } = deps;
  const router = Router();

  router.post('/v1/tracking-events', requirePermission('ingest'), async (req, res) => {
    const { events } = parseBody(req, trackingEventsBody);
    const known = await tracking.resolve(events);
    const rows: { shipmentId: string; event: TrackingEvent }[] = [];
    for (const event of events) {
      const shipmentId = known.get(pairKey(event.carrier, event.trackingNumber));
      if (shipmentId) rows.push({ shipmentId, event: toTrackingEvent(event) });
    }
    const result = await ingest(rows, 'api', req.log);
    if (result.failed.length) {
      throw workflowUnavailable(
        `The events are stored but ${result.failed.length} shipment workflow(s) could not be told (${result.failed.slice(0, 5).join(', ')}); send the same batch again.`,
      );
    }
    res.status(202).json({
      accepted: result.accepted,
      duplicates: result.duplicates,
      unknown: events.length - rows.length,
    });
  });

  return router;
}
