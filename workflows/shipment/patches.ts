/**
 * The shipment workflow's patch ids (`patched(id)`). Runs started before a patch replay the old
 * path; remove a patch only once no run from before it can still be replayed.
 */

/** A snapshot for every fact (see monitor) and at the start of a carried run. */
export const SNAPSHOT_EVERY_FACT = 'snapshot-every-fact';

/**
 * A refund decision moves to a `refunding` stage of its own, then to `notifying`. Before it, the
 * refund was issued inside `notifying`.
 */
export const REFUND_STAGE = 'refund-stage';
