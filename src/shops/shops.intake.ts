/**
 * Shop intake: orders read from a shop (a webhook, a backfill page) become shipment
 * registrations, registered through the path POST /v1/shipments takes (the same validation,
 * carrier catalogue, `registerMany` and workflow start). One shipment per fulfillment with a
 * tracking number, `<platform>-<fulfillment id>`; a fulfillment seen again with the same data
 * changes nothing, a changed tracking number or carrier is told to the workflow, and a cancelled
 * fulfillment or order cancels its shipments that are not delivered or closed.
 */
import { coalesce } from '../db/coalesce';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { carrierFromName } from '../carriers/catalogue';
import type { Db } from '../db/client';
import { shipments as shipmentsTable } from '../db/schema/shipments';
import { fieldErrors } from '../http/problems';
import { withCatalogueCarrier } from '../shipments/shipments.carrier';
import { workflowUnavailable } from '../shipments/shipments.errors';
import type { RegisterOutcome, ShipmentRepository } from '../shipments/shipments.repository';
import { registrationHash } from '../shipments/shipments.rows';
import { isLocale, registrationBody } from '../shipments/shipments.schemas';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import type { LineItem, ShipmentRegistration } from '../../workflows/shipment.contract';
import {
  shopShipmentId,
  type ShopConnection,
  type ShopFulfillment,
  type ShopLineItem,
  type ShopOrder,
} from './platform';

/** The stages after which a cancelled order changes nothing for the parcel. */
const FINISHED_STAGES = ['delivered', 'closed'] as const;
/** At most this many notes are kept in a result (receipt detail, sync answer). */
const MAX_NOTES = 20;
/** Locale of customers whose shop does not say. */
export const DEFAULT_LOCALE = 'en';
/** The carrier code of a fulfillment that names no carrier. */
export const NO_CARRIER = 'other';

/** What intake did with a set of orders. */
export interface IntakeResult {
  registered: number;
  updated: number;
  cancelled: number;
  unchanged: number;
  skipped: number;
  notes: string[];
}

export const emptyIntakeResult = (): IntakeResult => ({
  registered: 0,
  updated: 0,
  cancelled: 0,
  unchanged: 0,
  skipped: 0,
  notes: [],
});

function note(result: IntakeResult, text: string): void {
  if (result.notes.length < MAX_NOTES) result.notes.push(text);
}

/** `Royal Parcel Co.` → `royal-parcel-co`: a name as an unlisted carrier code or a SKU. */
export function slug(text: string, max = 64): string {
  return (
    text
      .normalize('NFKD')
      // Accents go (ü → u); letters of other scripts stay.
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, max)
      .replace(/-+$/, '')
  );
}

/**
 * Our carrier code for the shop's carrier name: the catalogue's code for any name it knows
 * (`DHL Express` → dhl), else the name as an unlisted code (`Speedy Post` → speedy-post), else
 * `other` when the shop names none.
 */
export function carrierOf(trackingCompany: string | undefined): {
  code: string;
  unlisted: boolean;
} {
  const name = trackingCompany?.trim();
  if (!name) return { code: NO_CARRIER, unlisted: true };
  const code = carrierFromName(name);
  if (code) return { code, unlisted: false };
  return { code: slug(name) || NO_CARRIER, unlisted: true };
}

/** The SKU of a line item: its own, else `variant-<variant id>`, else a slug of its title. */
export function skuOf(item: ShopLineItem): string {
  const sku = item.sku?.trim();
  if (sku) return sku.slice(0, 64);
  if (item.variantId) return `variant-${item.variantId}`.slice(0, 64);
  return slug(item.title) || 'item';
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export type FulfillmentPlan =
  | { kind: 'register'; fulfillmentId: string; registration: ShipmentRegistration; note?: string }
  | { kind: 'cancel'; fulfillmentId: string; shipmentId: string }
  | { kind: 'skip'; fulfillmentId: string; reason: string };

/**
 * What intake does with each fulfillment of an order (pure: no database, no Temporal). A
 * registration is checked as POST /v1/shipments checks a body; one that fails is skipped with the
 * fields named.
 */
export function planOrder(shop: ShopConnection, order: ShopOrder): FulfillmentPlan[] {
  return order.fulfillments.map((f): FulfillmentPlan => {
    const shipmentId = shopShipmentId(shop.platform, f.fulfillmentId);
    if (f.status === 'cancelled' || order.cancelledAt)
      return { kind: 'cancel', fulfillmentId: f.fulfillmentId, shipmentId };
    return planFulfillment(shop, order, f, shipmentId);
  });
}

function planFulfillment(
  shop: ShopConnection,
  order: ShopOrder,
  f: ShopFulfillment,
  shipmentId: string,
): FulfillmentPlan {
  const skip = (reason: string): FulfillmentPlan => ({
    kind: 'skip',
    fulfillmentId: f.fulfillmentId,
    reason: `${shipmentId}: ${reason}`,
  });
  const trackingNumber = f.trackingNumber?.trim();
  if (!trackingNumber) return skip('no tracking number');
  const address = order.shippingAddress;
  if (!address) return skip('the order has no shipping address');
  const carrier = carrierOf(f.trackingCompany);
  const items: LineItem[] = (f.lineItems?.length ? f.lineItems : order.lineItems).map((i) => ({
    sku: skuOf(i),
    quantity: i.quantity,
    unitPrice: i.unitPrice,
    title: i.title,
    ...(i.variantId ? { variantId: i.variantId } : {}),
  }));
  const locale = order.locale && isLocale(order.locale) ? order.locale : DEFAULT_LOCALE;
  const body = {
    shipmentId,
    orderId: order.orderName ?? order.orderId,
    marketplace: shop.platform,
    carrier: carrier.code,
    ...(carrier.unlisted ? { carrierUnlisted: true } : {}),
    trackingNumber,
    policy: shop.policy,
    origin: { country: shop.originCountry },
    destination: address,
    customer: {
      name: order.customer.name.trim() || address.name,
      email: order.customer.email,
      locale,
    },
    items,
    currency: order.currency,
    declaredValue: round2(items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0)),
    shippedAt: f.shippedAt,
  };
  const parsed = registrationBody.safeParse(body);
  if (!parsed.success)
    return skip(
      fieldErrors(parsed.error)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; '),
    );
  const registration: ShipmentRegistration = {
    ...withCatalogueCarrier(parsed.data),
    shop: {
      shopId: shop.shopId,
      platform: shop.platform,
      orderId: order.orderId,
      ...(order.orderName ? { orderName: order.orderName } : {}),
      fulfillmentId: f.fulfillmentId,
    },
  };
  return {
    kind: 'register',
    fulfillmentId: f.fulfillmentId,
    registration,
    ...(carrier.unlisted
      ? {
          note: `${shipmentId}: carrier "${f.trackingCompany?.trim() || '(none)'}" is not in the catalogue; kept as unlisted code "${carrier.code}"`,
        }
      : {}),
  };
}

export interface ShopIntakeDeps {
  db: Db;
  shipments: Pick<ShipmentRepository, 'registerMany' | 'get'>;
  workflows: Pick<WorkflowGateway, 'start' | 'signalTrackingChanged' | 'signalCancel'>;
  logger: Logger;
}

export function createShopIntake(deps: ShopIntakeDeps) {
  const { db, shipments, workflows } = deps;
  // Webhooks arrive one order at a time: registrations asked for at the same moment go out as
  // one multi-row insert, as the batch route's items do.
  const register = coalesce((registrations: ShipmentRegistration[]) =>
    shipments.registerMany(registrations),
  );

  /** Signals, translating a Temporal failure into the 503 that makes the shop deliver again. */
  async function tell<T>(what: string, shipmentId: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      deps.logger.error({ err, shipmentId }, `${what} failed`);
      throw workflowUnavailable(
        `The workflow of shipment "${shipmentId}" could not be told (${what}); deliver again.`,
      );
    }
  }

  /** Cancels one shipment unless it is finished; true when its workflow was told. */
  async function cancelOne(
    shipmentId: string,
    stage: string,
    reason: string,
    result: IntakeResult,
  ): Promise<void> {
    if ((FINISHED_STAGES as readonly string[]).includes(stage)) {
      note(result, `${shipmentId}: already ${stage}, not cancelled`);
      return;
    }
    const told = await tell('cancel signal', shipmentId, () =>
      workflows.signalCancel(shipmentId, reason),
    );
    if (told) result.cancelled++;
    else note(result, `${shipmentId}: its workflow has closed, not cancelled`);
  }

  /**
   * The shop changed the parcel's tracking number or carrier: the row takes the new one (and the
   * registration with it) and the workflow is told inside the same transaction, so a workflow
   * that cannot be told leaves the row as it was and the shop's redelivery tries again.
   */
  async function changeTracking(
    shipmentId: string,
    incoming: ShipmentRegistration,
    source: string,
    result: IntakeResult,
  ): Promise<void> {
    try {
      const changed = await db.transaction(async (tx) => {
        const [row] = await tx
          .select()
          .from(shipmentsTable)
          .where(eq(shipmentsTable.shipmentId, shipmentId))
          .for('update');
        if (!row) return false;
        if (row.carrier === incoming.carrier && row.trackingNumber === incoming.trackingNumber)
          return false;
        const registration: ShipmentRegistration = {
          ...row.registration,
          carrier: incoming.carrier,
          trackingNumber: incoming.trackingNumber,
        };
        await tx
          .update(shipmentsTable)
          .set({
            carrier: registration.carrier,
            trackingNumber: registration.trackingNumber,
            registration,
            requestHash: registrationHash(registration),
            updatedAt: new Date(),
          })
          .where(eq(shipmentsTable.shipmentId, shipmentId));
        const told = await tell('tracking change signal', shipmentId, () =>
          workflows.signalTrackingChanged(shipmentId, {
            carrier: registration.carrier,
            trackingNumber: registration.trackingNumber,
            source,
          }),
        );
        if (!told) throw new ClosedWorkflow();
        return true;
      });
      if (changed) result.updated++;
      else result.unchanged++;
    } catch (err) {
      if (err instanceof ClosedWorkflow) {
        result.skipped++;
        note(result, `${shipmentId}: tracking changed but its workflow has closed; kept as it was`);
        return;
      }
      if (isTrackingTaken(err)) {
        result.skipped++;
        note(
          result,
          `${shipmentId}: new tracking number ${incoming.trackingNumber} (${incoming.carrier}) already belongs to another shipment`,
        );
        return;
      }
      throw err;
    }
  }

  /**
   * Takes orders in: registers their new fulfillments (in multi-row inserts, together with other
   * deliveries taken at the same moment), starts their
   * workflows at once, and updates or cancels those already registered. `source` names the
   * delivery for the timeline (`shopify orders/fulfilled`, `backfill`).
   */
  async function takeOrders(
    shop: ShopConnection,
    orders: readonly ShopOrder[],
    source: string,
  ): Promise<IntakeResult> {
    const result = emptyIntakeResult();
    const toRegister: { registration: ShipmentRegistration; note?: string }[] = [];
    const toCancel: string[] = [];
    for (const order of orders) {
      for (const plan of planOrder(shop, order)) {
        if (plan.kind === 'register') toRegister.push(plan);
        else if (plan.kind === 'cancel') toCancel.push(plan.shipmentId);
        else {
          result.skipped++;
          note(result, plan.reason);
        }
      }
    }

    const outcomes: RegisterOutcome[] = await Promise.all(
      toRegister.map((r) => register(r.registration)),
    );
    let startFailures = 0;
    await Promise.all(
      outcomes.map(async (outcome, i) => {
        const { registration, note: carrierNote } = toRegister[i]!;
        if (outcome.kind === 'conflict') {
          const row = await shipments.get(registration.shipmentId);
          if (!row) {
            result.skipped++;
            note(result, `${registration.shipmentId}: ${outcome.detail}`);
            return;
          }
          // Another shop's shipment (or one registered through the API) under this id is not
          // this fulfillment's to change.
          if (row.shopId !== shop.shopId) {
            result.skipped++;
            note(
              result,
              `${registration.shipmentId}: the id is taken by ${row.shopId ? `shop ${row.shopId}` : 'a shipment registered through the API'}; not changed`,
            );
            return;
          }
          await changeTracking(registration.shipmentId, registration, source, result);
          return;
        }
        let started: boolean;
        try {
          // Started on both paths, as POST /v1/shipments does: the first start may have failed.
          ({ started } = await workflows.start(
            outcome.row.registration,
            outcome.row.createdAt.toISOString(),
          ));
        } catch (err) {
          if (startFailures++ === 0)
            deps.logger.error(
              { err, shipmentId: registration.shipmentId },
              'workflow start failed in shop intake',
            );
          return;
        }
        // A row whose workflow had not started (the delivery that stored it failed) is new too.
        if (outcome.kind === 'created' || started) {
          result.registered++;
          if (carrierNote) note(result, carrierNote);
        } else result.unchanged++;
      }),
    );
    if (startFailures)
      throw workflowUnavailable(
        `${startFailures} shipment(s) are recorded but their workflows could not be started; deliver again.`,
      );

    for (const shipmentId of toCancel) {
      const row = await shipments.get(shipmentId);
      // A fulfillment cancelled before we ever watched it: nothing to do.
      if (row) await cancelOne(shipmentId, row.stage, 'fulfillment cancelled in the shop', result);
    }
    return result;
  }

  /** The order was cancelled in the shop: its shipments not delivered or closed are cancelled. */
  async function cancelOrder(shop: ShopConnection, orderId: string): Promise<IntakeResult> {
    const result = emptyIntakeResult();
    const rows = await db
      .select({ shipmentId: shipmentsTable.shipmentId, stage: shipmentsTable.stage })
      .from(shipmentsTable)
      .where(
        and(
          eq(shipmentsTable.shopId, shop.shopId),
          sql`${shipmentsTable.registration}->'shop'->>'orderId' = ${orderId}`,
          notInArray(shipmentsTable.stage, [...FINISHED_STAGES]),
        ),
      );
    for (const row of rows)
      await cancelOne(row.shipmentId, row.stage, 'order cancelled in the shop', result);
    if (rows.length === 0) note(result, `order ${orderId}: no open shipments to cancel`);
    return result;
  }

  return { takeOrders, cancelOrder };
}
export type ShopIntake = ReturnType<typeof createShopIntake>;

class ClosedWorkflow extends Error {}

/** The shipments' (carrier, tracking number) unique index refused the new number. */
function isTrackingTaken(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, constraint_name: name } = e as { code?: unknown; constraint_name?: unknown };
    if (code === '23505' && name === 'shipments_carrier_tracking_uq') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The outcome word of a receipt: the strongest thing that happened. */
export function outcomeOf(r: IntakeResult): string {
  if (r.registered) return 'registered';
  if (r.updated) return 'updated';
  if (r.cancelled) return 'cancelled';
  if (r.unchanged) return 'unchanged';
  return 'skipped';
}

/** A result as one line (receipt detail, logs). */
export function describeResult(r: IntakeResult): string {
  const counts = (['registered', 'updated', 'cancelled', 'unchanged', 'skipped'] as const)
    .filter((k) => r[k] > 0)
    .map((k) => `${r[k]} ${k}`);
  return [counts.join(', ') || 'nothing to do', ...r.notes].join('; ');
}
