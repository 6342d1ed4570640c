/**
 * The provider's word on the whole tracking (overall status, proof of delivery), taken in beside
 * the scans. It acts where it says more than the newest scan (see `summaryInForce`).
 */
import type { TrackingSummary } from '../shipment.contract';
import { now, type ShipmentContext } from './context';

/** Takes in a summary; the same word again changes nothing unless newer scans had set it aside. */
export function takeSummary(ctx: ShipmentContext, s: TrackingSummary, source: string): void {
  const { state } = ctx;
  const held = state.carrierSummary;
  const same =
    held !== undefined &&
    held.provider === s.provider &&
    held.native === s.native &&
    held.status === s.status &&
    held.finding?.rule === s.finding?.rule &&
    JSON.stringify(held.proofOfDelivery ?? null) === JSON.stringify(s.proofOfDelivery ?? null);
  if (same && held.eventCountAt === state.eventCount) return;
  // Set aside by newer scans and said again: it is back in force, from when it was first said.
  state.carrierSummary = {
    ...s,
    receivedAt: same ? held.receivedAt : now(),
    eventCountAt: state.eventCount,
  };
  if (!same) {
    const finding = s.finding ? ` (reads as ${s.finding.finding}: rule ${s.finding.rule})` : '';
    ctx.note(
      'carrier_summary',
      `${s.provider} says ${s.native}: ${s.status}${s.description ? `, ${s.description}` : ''}${finding}${s.proofOfDelivery ? '; proof of delivery held' : ''}${source}`,
    );
  }
  ctx.factsVersion++;
}
