import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackingChangedSignal, trackingEventsSignal } from '../../workflows/shipment.contract';
import { aFastPolicy, anEvent, uniqueId } from '../helpers/factories';
import { startShipment, stateOf, waitForStage } from '../helpers/shipments';
import { startTestStack, type TestStack } from '../helpers/stack';
import { waitUntil } from '../helpers/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

describe('the shop changes the tracking number', () => {
  it('verification asks the carrier about the new number, and the timeline says so', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    const newNumber = uniqueId('NEW');
    // Only the new number has news at the carrier: the parcel was delivered under it.
    stack.sandbox.store.addEvents(newNumber, [anEvent('delivered', secondsAgo(1))]);
    await handle.signal(trackingChangedSignal, {
      carrier: reg.carrier,
      trackingNumber: newNumber,
      source: 'shopify fulfillments/update',
    });
    const changed = await waitUntil(
      'the change to be taken',
      () => stateOf(handle),
      (s) => s.timeline.some((t) => t.kind === 'tracking_changed'),
    );
    expect(changed.timeline.find((t) => t.kind === 'tracking_changed')?.detail).toBe(
      `${reg.carrier} ${reg.trackingNumber} → ${reg.carrier} ${newNumber} (shopify fulfillments/update)`,
    );
    // An old scan makes the parcel look stalled at once: verification asks the carrier.
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(5))]);
    const state = await waitForStage(handle, 'delivered');
    expect(state.verification).toMatchObject({ outcome: 'delivered' });
    expect(state.reviewRound).toBe(0);
  });

  it('the same number again changes nothing', async () => {
    const { reg, handle } = await startShipment(stack, aFastPolicy(uniqueId('p')));
    await handle.signal(trackingChangedSignal, {
      carrier: reg.carrier,
      trackingNumber: reg.trackingNumber,
      source: 'shopify fulfillments/update',
    });
    await handle.signal(trackingEventsSignal, [anEvent('in_transit', secondsAgo(1))]);
    const state = await waitUntil(
      'the scan to be taken',
      () => stateOf(handle),
      (s) => s.eventCount === 1,
    );
    expect(state.timeline.map((t) => t.kind)).not.toContain('tracking_changed');
  });
});
