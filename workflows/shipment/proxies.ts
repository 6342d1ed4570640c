/** The activities the shipment workflow calls, with the retry policy each kind needs. */
import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import { LOCAL_ACTIVITIES } from './patches';

type Activities = ReturnType<typeof createActivities>;

const QUICK_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
} as const;

/** Database and mail: quick, retried until they work. */
export const local = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: QUICK_RETRY,
});

/**
 * The same steps inside the workflow task: no server round trip each. A step that keeps failing
 * past the threshold is retried on a workflow timer, like a regular activity.
 */
const inTask = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  localRetryThreshold: '10 seconds',
  retry: QUICK_RETRY,
});

/** The quick database steps, run as local activities since the patch `local-activities`. */
export type QuickSteps = Pick<
  Activities,
  | 'resolvePolicy'
  | 'loadTrackingEvents'
  | 'recordSnapshot'
  | 'openReview'
  | 'withdrawReview'
  | 'sendNotification'
>;

/** Runs started before the patch keep their regular activities, so they replay. */
export function quick(): QuickSteps {
  return patched(LOCAL_ACTIVITIES) ? inTask : local;
}

const CARRIER_RETRY = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
} as const;

/** Carrier calls: a carrier that is down is retried (with backoff), never taken as an answer. */
export const carrier = proxyActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  retry: CARRIER_RETRY,
});

/**
 * The carrier lookup of verification inside the workflow task (patch `carrier-check-local`): the
 * review it leads to opens in the same task as the deadline that started it. A carrier that stays
 * down past the threshold is retried on a workflow timer, with the same backoff.
 */
export const carrierInTask = proxyLocalActivities<Activities>({
  startToCloseTimeout: '20 seconds',
  localRetryThreshold: '30 seconds',
  retry: CARRIER_RETRY,
});

/**
 * Calls into the seller's shop: a shop that is down or rate-limits is retried (its Retry-After
 * honoured by the activity); revoked credentials wait 15 minutes a try; a refusal fails for good.
 */
export const shop = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});
