/**
 * The claim workflow's patch ids (`patched(id)`). Runs started before a patch replay the old
 * path; remove a patch only once no run from before it can still be replayed.
 */

/**
 * A claim is carried through to money: a request for information waits for ops' answer (with a
 * deadline), a denial is appealed or escalated to the insurer, an approval waits for payment.
 * Before it, follow-up stopped at the first decision and only alerted ops.
 */
export const CLAIM_CARRY_THROUGH = 'claim-carry-through';
