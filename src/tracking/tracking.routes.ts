import { route, type RouteSpec } from '../http/route';
import { workflowUnavailable } from '../shipments/shipments.errors';
import type { TrackingEvent } from '../../workflows/shipment.contract';
import type { TrackingIngest } from './tracking.ingest';
import { pairKey, type TrackingRepository } from './tracking.repository';
import {
  type TrackingEventInput,
  trackingEventsBody,
  trackingEventsResponse,
} from './tracking.schemas';

function toTrackingEvent(e: TrackingEventInput): TrackingEvent {
  const { carrier: _carrier, trackingNumber: _number, ...event } = e;
  return event;
}

export function trackingRoutes(deps: {
  tracking: TrackingRepository;
  ingest: TrackingIngest;
}): RouteSpec[] {
  const { tracking, ingest } = deps;

  const push = route({
    method: 'post',
    path: '/v1/tracking-events',
    access: 'ingest',
    operationId: 'pushTrackingEvents',
    tag: 'Tracking',
    summary: 'Push a batch of tracking events (at most 1000)',
    body: trackingEventsBody,
    answer: {
      status: 202,
      description: '{accepted, duplicates, unknown}',
      schema: trackingEventsResponse,
    },
    handler: async ({ req, body: { events } }) => {
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
      return {
        accepted: result.accepted,
        duplicates: result.duplicates,
        unknown: events.length - rows.length,
      };
    },
  });

  return [push];
}
