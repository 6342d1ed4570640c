/**
 * A shop whose credentials stop working: one ops alert per outage, whichever path meets it, and
 * the next outage alerts again once a call has worked in between.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from '../../src/db/schema';
import { startShopStack, type ShopStack } from '../helpers/shop-stack';

let s: ShopStack;
beforeAll(async () => {
  s = await startShopStack();
});
afterAll(async () => {
  await s?.stop();
});

const sync = () =>
  s.api.call('POST', `/v1/shops/${s.ids.shopify}/sync`, {
    as: 'admin',
    body: { since: '2026-01-01T00:00:00Z' },
  });

const alerts = () =>
  s.stack.db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.shipmentId, `shop-${s.ids.shopify}`),
        eq(notifications.kind, 'ops_alert'),
      ),
    );

describe('revoked shop credentials', () => {
  it('alert ops once per outage, not once per call', async () => {
    await s.shopify.post('/sandbox/faults', { mode: 'unauthorized', count: 3 });
    for (let i = 0; i < 3; i++) {
      const res = await sync();
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.body.code).toMatch(/^shop\./);
    }
    const first = await alerts();
    expect(first).toHaveLength(1);
    expect(first[0]!.subject).toContain(`Shop ${s.ids.shopify}: its credentials stopped working`);
    expect(first[0]!.body).toContain(`PUT /v1/shops/${s.ids.shopify}`);

    // The credentials work again (a sync page goes through), then stop again: a new outage.
    expect((await sync()).status).toBe(200);
    await s.shopify.post('/sandbox/faults', { mode: 'unauthorized', count: 1 });
    expect((await sync()).status).toBeGreaterThanOrEqual(400);
    expect(await alerts()).toHaveLength(2);
  });
});
