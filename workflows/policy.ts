import type { Policy, TrackingStatus } from './shipment.contract';

/** Statuses that can stall (a parcel sitting in one of these too long is suspicious). */
export const STALLABLE_STATUSES = [
  'info_received',
  'in_transit',
  'customs',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
] as const satisfies readonly TrackingStatus[];

/** The seeded `default` policy (Metapack 5 days, Route 7 days, eBay 7 days, Amazon 3 days past estimate). */
export const DEFAULT_POLICY: Policy = {
  name: 'default',
  stallAfter: {
    info_received: 'P5D',
    in_transit: 'P7D',
    customs: 'P10D',
    out_for_delivery: 'P2D',
    failed_attempt: 'P3D',
    available_for_pickup: 'P7D',
  },
  overdueGrace: 'P3D',
  inquirySurge: { count: 2, window: 'P2D' },
  reviewSla: 'PT24H',
  autoDecision: { maxDeclaredValue: 0, decision: 'reship' },
  deliveredWatch: 'P14D',
  claimWait: 'P0D',
};
