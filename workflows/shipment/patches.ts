/**
 * The shipment workflow's patch ids (`patched(id)`). Runs started before a patch replay the old
 * path; remove a patch only once no run from before it can still be replayed.
 *
 * A patch is asked where every replay asks it at the same point: in the run's first activation
 * (`decidePatches` in context.ts, for every patch from `inquiry-review` on), or right after a
 * signal, a timer or a regular activity. Never first right after a local activity: the worker
 * may send what follows one in the next workflow task, and a replay would then answer "not
 * patched". For the same reason the continue-as-new suggestion is read through the latch in
 * ../history-pressure.ts, never from `workflowInfo()` after a local activity.
 */

/** A snapshot for every fact (see monitor) and at the start of a carried run. */
export const SNAPSHOT_EVERY_FACT = 'snapshot-every-fact';

/**
 * A refund decision moves to a `refunding` stage of its own, then to `notifying`. Before it, the
 * refund was issued inside `notifying`.
 */
export const REFUND_STAGE = 'refund-stage';

/**
 * The quick database steps (policy, stored scans, snapshot, review row, customer notice) run as
 * local activities, inside the workflow task. Before it, each was a regular activity: a server
 * round trip and two history events apiece.
 */
export const LOCAL_ACTIVITIES = 'local-activities';

/**
 * A suspicion that stands opens its review before the customer's delay notice goes out, so ops
 * see it at once. Before it, the notice went out first, from verification.
 */
export const NOTICE_AFTER_REVIEW = 'notice-after-review';

/**
 * A reship of a shop's shipment also creates the replacement order in the shop (after the
 * replacement's own workflow has started). Before it, the shop heard nothing of a reship.
 */
export const SHOP_REPLACEMENT_ORDER = 'shop-replacement-order';

/**
 * A customer's inquiry can open a review: a refund demand (`customer_request`) or a damaged parcel
 * (`damaged`). Before it, only timers and carrier verdicts did, and a refund decision was refused.
 */
export const INQUIRY_REVIEW = 'inquiry-review';

/**
 * Delivered but not received: the first report asks the customer to look around (the reply says
 * where the carrier left it); only a second report opens the review. Before it, the first did.
 */
export const DNR_ASK_FIRST = 'dnr-ask-first';

/**
 * A proof-of-delivery lookup on a number the carrier does not know is recorded as
 * `unknown_number`. Before it, it was recorded as `proof_of_delivery_checked`.
 */
export const POD_UNKNOWN_NUMBER = 'pod-unknown-number';

/**
 * Verification's carrier lookup runs as a local activity, inside the task the deadline fired in,
 * so the review opens after one server round trip. Before it, it was a regular activity.
 */
export const CARRIER_CHECK_LOCAL = 'carrier-check-local';

/**
 * Deadline timers count from the newest wall clock a local step of the task reported (the
 * snapshot's write, the notice's send), not from the task's start (`ShipmentContext.taskNow`); a
 * timer that fires before the deadline by workflow time waits out the rest. Before it, a task that
 * spent half a second on local activities set its timers half a second late. Runs from before
 * also carry notices whose send time a replay must not read.
 */
export const TASK_CLOCK = 'task-clock';
