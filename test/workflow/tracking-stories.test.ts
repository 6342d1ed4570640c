/**
 * Tracking stories: real-shaped event sequences for different carriers and lanes, fed through real
 * shipment workflows on the dev server, each with its expected outcome written out (stages: README,
 * "How a shipment is handled").
 *
 * Every story has a policy of its own in seconds. Its thresholds are patient (ten minutes) except for
 * the one the story is about, so only the intended trigger can fire within the story's deadline.
 * All stories start together on one worker; each test then waits for its own story.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cancelSignal,
  customerInquirySignal,
  reviewUpdate,
  trackingEventsSignal,
  type InquiryIntent,
  type NotificationKind,
  type Policy,
  type Resolution,
  type ReviewDecision,
  type ShipmentState,
  type Stage,
  type SuspicionReason,
  type TrackingEvent,
  type TrackingStatus,
  type VerificationOutcome,
} from '../../workflows/shipment.contract';
import { aFastPolicy, uniqueId } from '../helpers/factories';
import { startShipment, stateOf } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

/** [status, seconds from the story's start (negative: in the past), more fields]. */
type Scan = [TrackingStatus, number, Partial<TrackingEvent>?];

type Step =
  /** One `trackingEvents` signal with these scans, in this order. */
  | { scans: Scan[] }
  /** The scans of an earlier `scans` step sent again (same event ids): a retried webhook. */
  | { resend: number }
  /** Customer inquiries, one signal each. */
  | { inquiries: InquiryIntent[] }
  /** Waits until the workflow has taken everything sent so far. */
  | { settle: true }
  | { waitFor: Stage }
  /** Waits for the review, then decides through the `review` update. */
  | { decide: ReviewDecision }
  | { cancel: string };

interface Story {
  title: string;
  carrier: string;
  /** Origin and destination countries. */
  lane: [string, string];
  /** What this story's policy changes from the patient one. */
  policy?: Partial<Policy>;
  /** Estimated delivery, in seconds from the start. */
  expectedIn?: number;
  declaredValue?: number;
  /** Scans the carrier has that never reached us (a missed webhook), found by verification. */
  atCarrier?: Scan[];
  /** The carrier has no record of the tracking number. */
  unknownToCarrier?: true;
  steps: Step[];
  expect: {
    stage: Stage;
    resolution?: Resolution;
    /** The suspicion at the end; `null`: none. */
    reason?: SuspicionReason | null;
    /** Every notification recorded, in the order sent. */
    notifications?: NotificationKind[];
    /** What asking the carrier found, the last time it was asked. */
    verification?: VerificationOutcome;
  };
}

const MINUTE = 'PT60S';
/** Ten minutes: beyond any story's deadline, and beyond the age of any story's latest scan. */
const PATIENT = 'PT600S';
const PATIENT_STALL: Policy['stallAfter'] = {
  info_received: PATIENT,
  in_transit: PATIENT,
  customs: PATIENT,
  out_for_delivery: PATIENT,
  failed_attempt: PATIENT,
  available_for_pickup: PATIENT,
};
const stallAfter = (status: TrackingStatus, iso: string): Partial<Policy> => ({
  stallAfter: { ...PATIENT_STALL, [status]: iso },
});

const delivered = { stage: 'closed', resolution: 'delivered' } as const;
const quietlyDelivered = { ...delivered, reason: null, notifications: [] };
const inReview = (reason: SuspicionReason, notifications: NotificationKind[] = ['delay_notice']) =>
  ({ stage: 'awaiting_review', reason, notifications }) as const;

/** Forty sorting-centre scans an hour apart, as long-haul e-commerce parcels collect them. */
const manyScans: Scan[] = Array.from({ length: 40 }, (_, i) => [
  'in_transit',
  -3600 * (45 - i),
  { description: `sorting centre ${i + 1}` },
]);

const STORIES: Story[] = [
  // ---- delivered on time, in many shapes ----
  {
    title:
      'a yanwen parcel from China to the US scanned all the way to the door is delivered quietly',
    carrier: 'yanwen',
    lane: ['CN', 'US'],
    steps: [
      {
        scans: [
          ['info_received', -600],
          ['in_transit', -500, { location: { country: 'CN', city: 'Shenzhen' } }],
          ['in_transit', -400, { location: { country: 'US', city: 'Los Angeles' } }],
          ['out_for_delivery', -100],
          ['delivered', -10],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title:
      'a ups parcel whose scans arrive newest first is delivered, ordered by when they happened',
    carrier: 'ups',
    lane: ['US', 'US'],
    steps: [
      {
        scans: [
          ['delivered', -5],
          ['out_for_delivery', -50],
          ['in_transit', -300],
          ['info_received', -900],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title: 'a dhl parcel from Germany to the UK whose webhooks are retried is delivered once',
    carrier: 'dhl',
    lane: ['DE', 'GB'],
    steps: [
      {
        scans: [
          ['info_received', -300],
          ['in_transit', -200],
        ],
      },
      { resend: 0 },
      {
        scans: [
          ['out_for_delivery', -50],
          ['delivered', -5],
        ],
      },
      { resend: 2 },
    ],
    expect: quietlyDelivered,
  },
  {
    title: 'old china-post scans that turn up after the delivery scan do not undo the delivery',
    carrier: 'china-post',
    lane: ['CN', 'FR'],
    policy: { deliveredWatch: 'PT10S' },
    steps: [
      {
        scans: [
          ['info_received', -900],
          ['delivered', -5],
        ],
      },
      { settle: true },
      {
        scans: [
          ['in_transit', -600],
          ['out_for_delivery', -100],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title: 'a cainiao parcel to Spain with forty sorting scans in one batch is delivered',
    carrier: 'cainiao',
    lane: ['CN', 'ES'],
    steps: [{ scans: [['info_received', -3600 * 50], ...manyScans, ['delivered', -5]] }],
    expect: quietlyDelivered,
  },
  {
    title: 'a usps parcel left at the post office and picked up counts as delivered',
    carrier: 'usps',
    lane: ['US', 'US'],
    steps: [
      {
        scans: [
          ['in_transit', -400],
          ['failed_attempt', -300, { subStatus: 'recipient_not_available' }],
          ['available_for_pickup', -200],
          ['delivered', -5, { subStatus: 'picked_up' }],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title:
      'a 4px parcel that passes customs in Australia without a hold is delivered without a customs notice',
    carrier: '4px',
    lane: ['CN', 'AU'],
    steps: [
      {
        scans: [
          ['in_transit', -900],
          ['customs', -600, { subStatus: 'customs_clearance_started' }],
          ['in_transit', -400, { subStatus: 'customs_cleared' }],
          ['out_for_delivery', -100],
          ['delivered', -5],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title:
      'a fedex exception that is only an address correction does not make the parcel suspicious',
    carrier: 'fedex',
    lane: ['US', 'CA'],
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['exception', -400, { subStatus: 'address_corrected' }],
          ['in_transit', -300],
          ['delivered', -5],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title: 'an sf-express parcel delivered before its estimate is never called overdue',
    carrier: 'sf-express',
    lane: ['CN', 'JP'],
    expectedIn: 3600,
    policy: { overdueGrace: 'PT1S' },
    steps: [
      {
        scans: [
          ['in_transit', -300],
          ['delivered', -5],
        ],
      },
    ],
    expect: quietlyDelivered,
  },

  // ---- stalled, per status ----
  {
    title: 'a label created but never handed to yunexpress stalls and goes to review',
    carrier: 'yunexpress',
    lane: ['CN', 'US'],
    policy: stallAfter('info_received', 'PT2S'),
    steps: [{ scans: [['info_received', -1]] }],
    expect: inReview('stalled'),
  },
  {
    title: 'a yanwen parcel with no scan in transit for the threshold stalls',
    carrier: 'yanwen',
    lane: ['CN', 'GB'],
    policy: stallAfter('in_transit', 'PT2S'),
    steps: [
      {
        scans: [
          ['info_received', -60],
          ['in_transit', -1],
        ],
      },
    ],
    expect: inReview('stalled'),
  },
  {
    title: 'a ups parcel out for delivery that never arrives stalls',
    carrier: 'ups',
    lane: ['US', 'US'],
    policy: stallAfter('out_for_delivery', 'PT2S'),
    steps: [
      {
        scans: [
          ['in_transit', -60],
          ['out_for_delivery', -1],
        ],
      },
    ],
    expect: inReview('stalled'),
  },
  {
    title: 'a parcel silent after one failed delivery attempt stalls (below the attempt limit)',
    carrier: 'usps',
    lane: ['CN', 'US'],
    policy: { ...stallAfter('failed_attempt', 'PT2S'), maxFailedAttempts: 3 },
    steps: [
      {
        scans: [
          ['out_for_delivery', -60],
          ['failed_attempt', -1],
        ],
      },
    ],
    expect: inReview('stalled'),
  },
  {
    title: 'a parcel waiting at a pickup point that nobody collects stalls',
    carrier: 'dhl',
    lane: ['CN', 'DE'],
    policy: stallAfter('available_for_pickup', 'PT2S'),
    steps: [
      {
        scans: [
          ['in_transit', -60],
          ['available_for_pickup', -1],
        ],
      },
    ],
    expect: inReview('stalled'),
  },

  // ---- overdue ----
  {
    title: 'a parcel still moving past its estimate plus grace is overdue',
    carrier: 'china-ems',
    lane: ['CN', 'US'],
    expectedIn: 1,
    policy: { overdueGrace: 'PT2S' },
    steps: [{ scans: [['in_transit', -1]] }],
    expect: inReview('overdue'),
  },
  {
    title: 'a carrier that revises the estimate to yesterday makes the parcel overdue at once',
    carrier: 'yunexpress',
    lane: ['CN', 'FR'],
    expectedIn: 30 * 86400,
    policy: { overdueGrace: 'PT2S' },
    steps: [
      {
        scans: [
          [
            'in_transit',
            -1,
            { expectedDeliveryAt: new Date(Date.now() - 86_400_000).toISOString() },
          ],
        ],
      },
    ],
    expect: inReview('overdue'),
  },

  // ---- the carrier says it ----
  {
    title: 'a parcel the carrier declares lost skips the wait',
    carrier: 'china-post',
    lane: ['CN', 'US'],
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['lost', -1],
        ],
      },
    ],
    expect: inReview('carrier_lost'),
  },
  {
    title: 'a parcel the carrier reports damaged skips the wait',
    carrier: 'ups',
    lane: ['US', 'MX'],
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['damaged', -1],
        ],
      },
    ],
    expect: inReview('carrier_damaged'),
  },
  {
    title: 'a parcel the carrier destroyed is treated as damaged',
    carrier: 'usps',
    lane: ['US', 'US'],
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['destroyed', -1],
        ],
      },
    ],
    expect: inReview('carrier_damaged'),
  },
  {
    title: 'an exception saying the parcel was disposed of is treated as damaged',
    carrier: 'yanwen',
    lane: ['CN', 'DE'],
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['exception', -1, { subStatus: 'disposed' }],
        ],
      },
    ],
    expect: inReview('carrier_damaged'),
  },

  // ---- asking the carrier ----
  {
    title:
      'a stalled parcel whose delivery webhook was missed is found delivered at the carrier, and nobody is bothered',
    carrier: 'yanwen',
    lane: ['CN', 'US'],
    policy: stallAfter('in_transit', 'PT2S'),
    atCarrier: [
      ['out_for_delivery', 0],
      ['delivered', 0],
    ],
    steps: [{ scans: [['in_transit', -1]] }],
    expect: { ...quietlyDelivered, verification: 'delivered' },
  },
  {
    title: 'a stalled parcel the carrier has never heard of keeps its suspicion and goes to review',
    carrier: 'cainiao',
    lane: ['CN', 'NL'],
    policy: stallAfter('info_received', 'PT2S'),
    unknownToCarrier: true,
    steps: [{ scans: [['info_received', -1]] }],
    expect: { ...inReview('stalled'), verification: 'unknown_number' },
  },

  // ---- customs ----
  {
    title:
      'a parcel held in customs past the customs threshold is a customs hold, and the customer is told',
    carrier: '4px',
    lane: ['CN', 'GB'],
    policy: stallAfter('customs', 'PT3S'),
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['customs', -1, { subStatus: 'customs_hold' }],
        ],
      },
    ],
    expect: inReview('customs_hold', ['customs_notice', 'delay_notice']),
  },

  // ---- failed attempts ----
  {
    title: 'two failed attempts under a limit of three do not make a parcel suspicious',
    carrier: 'usps',
    lane: ['CN', 'US'],
    policy: { maxFailedAttempts: 3 },
    steps: [
      {
        scans: [
          ['out_for_delivery', -400],
          ['failed_attempt', -300],
          ['out_for_delivery', -200],
          ['failed_attempt', -100],
        ],
      },
      { settle: true },
      {
        scans: [
          ['out_for_delivery', -50],
          ['delivered', -5],
        ],
      },
    ],
    expect: quietlyDelivered,
  },
  {
    title: 'a third failed delivery attempt at a limit of three goes to review',
    carrier: 'dhl',
    lane: ['DE', 'FR'],
    policy: { maxFailedAttempts: 3 },
    steps: [
      {
        scans: [
          ['failed_attempt', -300],
          ['failed_attempt', -200],
          ['failed_attempt', -1],
        ],
      },
    ],
    expect: inReview('failed_attempts'),
  },

  // ---- returned to sender ----
  {
    title: 'a parcel returning and returned to the sender ends as returned_to_sender',
    carrier: 'china-post',
    lane: ['CN', 'BR'],
    steps: [
      {
        scans: [
          ['in_transit', -900],
          ['customs', -600],
          ['returning', -300, { subStatus: 'refused_by_customs' }],
          ['returned', -5],
        ],
      },
    ],
    expect: { stage: 'closed', resolution: 'returned_to_sender', notifications: [] },
  },
  {
    title: 'a parcel refused at the door and sent back ends as returned_to_sender',
    carrier: 'ups',
    lane: ['US', 'US'],
    steps: [
      {
        scans: [
          ['out_for_delivery', -400],
          ['failed_attempt', -300],
          ['returning', -200],
        ],
      },
      { settle: true },
      { scans: [['returned', -5]] },
    ],
    expect: { stage: 'closed', resolution: 'returned_to_sender', notifications: [] },
  },

  // ---- customers ----
  {
    title:
      'a customer who says twice that a delivered parcel never came sends it to review as delivered_not_received',
    carrier: 'usps',
    lane: ['CN', 'US'],
    policy: { deliveredWatch: MINUTE },
    steps: [
      {
        scans: [
          ['out_for_delivery', -300],
          ['delivered', -5],
        ],
      },
      { waitFor: 'delivered' },
      // The first report asks the customer to look around; the second opens the review.
      { inquiries: ['delivered_not_received', 'delivered_not_received'] },
    ],
    expect: { stage: 'awaiting_review', reason: 'delivered_not_received' },
  },
  {
    title: 'three customer inquiries within the surge window send a parcel to review',
    carrier: 'yanwen',
    lane: ['CN', 'US'],
    policy: { inquirySurge: { count: 3, window: MINUTE } },
    steps: [
      { scans: [['in_transit', -60]] },
      { inquiries: ['where_is_it', 'where_is_it', 'not_received'] },
    ],
    expect: inReview('inquiry_surge'),
  },
  {
    title:
      'two inquiries under a surge count of three leave the parcel alone until it is delivered',
    carrier: 'yanwen',
    lane: ['CN', 'CA'],
    policy: { inquirySurge: { count: 3, window: MINUTE } },
    steps: [
      { scans: [['in_transit', -60]] },
      { inquiries: ['where_is_it', 'where_is_it'] },
      { settle: true },
      { scans: [['delivered', -5]] },
    ],
    expect: quietlyDelivered,
  },

  // ---- decisions ----
  {
    title: 'ops keep waiting on a stalled parcel and it is then delivered',
    carrier: 'yunexpress',
    lane: ['CN', 'DE'],
    policy: stallAfter('in_transit', 'PT3S'),
    steps: [
      { scans: [['in_transit', -1]] },
      { decide: 'keep_waiting' },
      { waitFor: 'monitoring' },
      {
        scans: [
          ['out_for_delivery', 0],
          ['delivered', 0],
        ],
      },
    ],
    expect: { ...delivered, notifications: ['delay_notice'] },
  },
  {
    title: 'ops mark a stalled parcel delivered after hearing from the customer',
    carrier: 'dhl',
    lane: ['DE', 'AT'],
    policy: stallAfter('in_transit', 'PT2S'),
    steps: [{ scans: [['in_transit', -1]] }, { decide: 'mark_delivered' }],
    expect: { ...delivered, notifications: ['delay_notice'] },
  },
  {
    title: 'ops refund a lost parcel and the customer is told',
    carrier: 'china-post',
    lane: ['CN', 'US'],
    steps: [
      {
        scans: [
          ['in_transit', -600],
          ['lost', -1],
        ],
      },
      { decide: 'refund' },
    ],
    expect: {
      stage: 'closed',
      resolution: 'refunded',
      notifications: ['delay_notice', 'refunded'],
    },
  },
  {
    title:
      'ops reship a stalled parcel from the US warehouse and the customer gets the new tracking number',
    carrier: 'yanwen',
    lane: ['CN', 'US'],
    policy: stallAfter('in_transit', 'PT2S'),
    steps: [{ scans: [['in_transit', -1]] }, { decide: 'reship' }],
    expect: {
      stage: 'closed',
      resolution: 'reshipped',
      notifications: ['delay_notice', 'reshipped'],
    },
  },
  {
    title: 'a cheap stalled parcel nobody reviews in time is refunded by the policy',
    carrier: 'yanwen',
    lane: ['CN', 'US'],
    declaredValue: 12,
    policy: {
      ...stallAfter('in_transit', 'PT2S'),
      reviewSla: 'PT2S',
      autoDecision: { maxDeclaredValue: 50, decision: 'refund' },
    },
    steps: [{ scans: [['in_transit', -1]] }],
    // The expired SLA is recorded as an alert to ops before the policy decides.
    expect: {
      stage: 'closed',
      resolution: 'refunded',
      notifications: ['delay_notice', 'ops_alert', 'refunded'],
    },
  },
  {
    title: 'an order cancelled while its parcel is in transit ends the watch',
    carrier: 'ups',
    lane: ['US', 'US'],
    steps: [{ scans: [['in_transit', -60]] }, { settle: true }, { cancel: 'order cancelled' }],
    expect: { stage: 'closed', resolution: 'cancelled', notifications: [] },
  },
  {
    title: 'an order cancelled while its stalled parcel awaits review ends without a decision',
    carrier: 'fedex',
    lane: ['US', 'GB'],
    policy: stallAfter('in_transit', 'PT2S'),
    steps: [
      { scans: [['in_transit', -1]] },
      { waitFor: 'awaiting_review' },
      { cancel: 'customer cancelled the order' },
    ],
    expect: { stage: 'closed', resolution: 'cancelled', notifications: ['delay_notice'] },
  },
];

const STORY_DEADLINE_MS = 150_000;

const CITIES: Record<string, string> = {
  US: 'San Francisco',
  GB: 'London',
  DE: 'Berlin',
  FR: 'Lyon',
  ES: 'Madrid',
  AU: 'Sydney',
  CA: 'Toronto',
  JP: 'Osaka',
  MX: 'Monterrey',
  AT: 'Vienna',
  BR: 'São Paulo',
  NL: 'Amsterdam',
};

let stack: TestStack;
const outcomes = new Map<string, Promise<ShipmentState>>();

/** Runs one story's script; resolves with the state once the expected stage is reached. */
async function runStory(story: Story): Promise<ShipmentState> {
  const t0 = Date.now();
  const at = (offset: number) => new Date(t0 + offset * 1000).toISOString();
  const policy = aFastPolicy(uniqueId('story').toLowerCase(), {
    stallAfter: PATIENT_STALL,
    overdueGrace: PATIENT,
    inquirySurge: { count: 5, window: PATIENT },
    reviewSla: 'PT300S',
    deliveredWatch: 'PT2S',
    maxFailedAttempts: 3,
    ...story.policy,
  });
  const [origin, destination] = story.lane;
  const { reg, handle } = await startShipment(
    stack,
    policy,
    {
      carrier: story.carrier,
      origin: { country: origin },
      destination: {
        country: destination,
        name: 'Sam Buyer',
        line1: '1 High Street',
        city: CITIES[destination] ?? 'Capital',
        postalCode: '10001',
      },
      ...(story.declaredValue !== undefined ? { declaredValue: story.declaredValue } : {}),
      ...(story.expectedIn !== undefined ? { expectedDeliveryAt: at(story.expectedIn) } : {}),
    },
    { knownToCarrier: !story.unknownToCarrier },
  );
  if (story.atCarrier) {
    stack.sandbox.store.addEvents(
      reg.trackingNumber,
      story.atCarrier.map(([status, offset, more], i) => ({
        eventId: `${reg.shipmentId}-carrier-${i}`,
        occurredAt: at(offset),
        status,
        ...more,
      })),
    );
  }

  const batches: TrackingEvent[][] = [];
  const eventIds = new Set<string>();
  let inquiriesSent = 0;
  const waitForStage = (stage: Stage) =>
    waitUntil(
      `${reg.shipmentId} to reach ${stage}`,
      () => stateOf(handle),
      (s) => s.stage === stage,
      STORY_DEADLINE_MS,
    );

  for (const step of story.steps) {
    if ('scans' in step) {
      const batch = step.scans.map(([status, offset, more], i) => ({
        eventId: `${reg.shipmentId}-${batches.length}-${i}`,
        occurredAt: at(offset),
        status,
        carrierCode: story.carrier,
        ...more,
      }));
      batches.push(batch);
      batch.forEach((e) => eventIds.add(e.eventId));
      await handle.signal(trackingEventsSignal, batch);
    } else if ('resend' in step) {
      await handle.signal(trackingEventsSignal, batches[step.resend] ?? []);
    } else if ('inquiries' in step) {
      for (const intent of step.inquiries) {
        inquiriesSent++;
        await handle.signal(customerInquirySignal, {
          inquiryId: `${reg.shipmentId}-inquiry-${inquiriesSent}`,
          channel: 'email',
          message:
            intent === 'delivered_not_received'
              ? 'It says delivered but it is not here.'
              : 'Where is my parcel?',
          receivedAt: new Date().toISOString(),
          intent,
        });
      }
    } else if ('settle' in step) {
      await waitUntil(
        `${reg.shipmentId} to take what was sent`,
        () => stateOf(handle),
        (s) =>
          s.eventCount >= eventIds.size &&
          s.timeline.some((e) => e.kind === 'registered') &&
          s.timeline.filter((e) => e.kind === 'customer_inquiry').length >= inquiriesSent,
        STORY_DEADLINE_MS,
      );
    } else if ('waitFor' in step) {
      await waitForStage(step.waitFor);
    } else if ('decide' in step) {
      await waitForStage('awaiting_review');
      await handle.executeUpdate(reviewUpdate, {
        args: [{ decision: step.decide, reviewer: 'ops@seller.test' }],
      });
    } else {
      await handle.signal(cancelSignal, { reason: step.cancel });
    }
  }
  return waitForStage(story.expect.stage);
}

beforeAll(async () => {
  stack = await startTestStack();
  for (const story of STORIES) {
    const outcome = runStory(story);
    // Each test awaits its own story; a failure is reported there, not as an unhandled rejection.
    outcome.catch(() => undefined);
    outcomes.set(story.title, outcome);
  }
});

afterAll(async () => {
  // Let every story settle before the worker goes away under it.
  await Promise.allSettled(outcomes.values());
  await stack?.stop();
});

describe('tracking stories on a real Temporal server', () => {
  it('there are at least thirty stories, each with its own title', () => {
    expect(STORIES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(STORIES.map((s) => s.title)).size).toBe(STORIES.length);
  });

  it.each(STORIES.map((s) => [s.title, s] as const))(
    '%s',
    async (_title, story) => {
      const state = await outcomes.get(story.title)!;
      const { stage, resolution, reason, notifications, verification } = story.expect;
      expect(state.stage).toBe(stage);
      expect(state.resolution).toBe(resolution);
      if (reason === null) expect(state.suspicion).toBeUndefined();
      else if (reason !== undefined) expect(state.suspicion?.reason).toBe(reason);
      if (notifications) expect(state.notifications.map((n) => n.kind)).toEqual(notifications);
      if (verification) expect(state.verification?.outcome).toBe(verification);
    },
    STORY_DEADLINE_MS + 30_000,
  );
});
