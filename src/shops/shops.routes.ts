/**
 * Connected shops as records (admin): PUT, GET, list, DELETE, and the backfill of one page of a
 * shop's fulfilled orders (`parcelwarden shops sync` loops over the pages).
 */
import type { CredentialsFailing } from './shops.alerts';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { policyNotFound } from '../policies/policies.errors';
import type { PolicyRepository } from '../policies/policies.repository';
import { ShopApiError } from './platform';
import type { ShopPlatforms } from './platforms';
import {
  shopApiFailed,
  shopCredentialsRequired,
  shopDomainTaken,
  shopNotFound,
} from './shops.errors';
import type { ShopIntake } from './shops.intake';
import type { ShopRecord, ShopRepository } from './shops.repository';
import {
  shopBody,
  shopListResponse,
  shopParams,
  shopResponse,
  syncBody,
  syncResponse,
  toShopInput,
} from './shops.schemas';

export interface ShopsRoutesDeps {
  shops: ShopRepository;
  policies: Pick<PolicyRepository, 'exists'>;
  platforms: ShopPlatforms;
  intake: ShopIntake;
  /** Outbound fetch for calls into shops. */
  fetch?: typeof fetch;
  /** Marks a shop whose credentials were refused, alerting ops once per outage. */
  credentialsFailing: CredentialsFailing;
  logger: Logger;
}

/** What clients see of a shop: never a credential, only which fields are set. */
export function shopView(s: ShopRecord): z.input<typeof shopResponse> {
  return {
    shopId: s.shopId,
    platform: s.platform,
    domain: s.domain,
    apiUrl: s.apiUrl,
    policy: s.policy,
    originCountry: s.originCountry,
    senderName: s.senderName,
    replyTo: s.replyTo,
    logoUrl: s.logoUrl,
    brandColor: s.brandColor,
    credentials: Object.fromEntries(s.credentialFields.map((f) => [f, 'set' as const])),
    credentialsFailingSince: s.credentialsFailingSince?.toISOString() ?? null,
    lastSyncedAt: s.lastSyncedAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    removedAt: s.removedAt?.toISOString() ?? null,
  };
}

function shopRemoved(shopId: string): ProblemError {
  return new ProblemError(
    409,
    'shop.removed',
    'Shop removed',
    `Shop "${shopId}" was removed; PUT it again to take its orders in.`,
  );
}

export function shopsRoutes(deps: ShopsRoutesDeps): RouteSpec[] {
  const { shops, policies, platforms, intake } = deps;

  const put = route({
    method: 'put',
    path: '/v1/shops/{shopId}',
    access: 'configure',
    operationId: 'putShop',
    tag: 'Shops',
    summary: 'Connect a shop or change it (admin); credentials are sealed and never returned',
    description:
      'Without `credentials` the stored ones are kept. A removed shop is connected again. The store is named by `domain` (its host, as its webhooks name it) or `url` (its base URL), or both.',
    params: shopParams,
    body: shopBody,
    answer: { status: 201, description: 'The shop, connected now', schema: shopResponse },
    responses: {
      '200': { description: 'The shop, changed', schema: shopResponse },
      '409': 'Another shop is connected to this store (shop.domain_taken)',
      '422': 'Unknown policy, or no credentials for a new shop or a change of platform',
      '503': 'The API runs without PAYLOAD_KEY, which seals credentials',
    },
    handler: async ({ res, params: { shopId }, body }) => {
      if (!(await policies.exists(body.policy))) throw policyNotFound(body.policy, 422);
      const input = toShopInput(shopId, body);
      const outcome = await shops.put(input);
      if (outcome.kind === 'credentials_required')
        throw shopCredentialsRequired(shopId, input.platform);
      if (outcome.kind === 'domain_taken')
        throw shopDomainTaken(input.domain, input.platform, outcome.holder);
      res.status(outcome.kind === 'created' ? 201 : 200).json(shopView(outcome.shop));
    },
  });

  const list = route({
    method: 'get',
    path: '/v1/shops',
    access: 'read',
    operationId: 'listShops',
    tag: 'Shops',
    summary: 'The connected shops, by id (removed ones left out); no credentials',
    answer: { description: '{items}', schema: shopListResponse },
    handler: async () => ({ items: (await shops.list()).map(shopView) }),
  });

  const get = route({
    method: 'get',
    path: '/v1/shops/{shopId}',
    access: 'read',
    operationId: 'getShop',
    tag: 'Shops',
    summary: 'A shop (also a removed one, with removedAt); no credentials',
    params: shopParams,
    answer: { description: 'The shop', schema: shopResponse },
    responses: { '404': 'Unknown shop' },
    handler: async ({ params: { shopId } }) => {
      const shop = await shops.get(shopId);
      if (!shop) throw shopNotFound(shopId);
      return shopView(shop);
    },
  });

  const remove = route({
    method: 'delete',
    path: '/v1/shops/{shopId}',
    access: 'configure',
    operationId: 'deleteShop',
    tag: 'Shops',
    summary:
      'Remove a shop (admin): its webhooks and backfill are refused from now on; its running shipments go on',
    params: shopParams,
    answer: { status: 204, description: 'Removed (or removed before)' },
    responses: { '404': 'Unknown shop' },
    handler: async ({ res, params: { shopId } }) => {
      if (!(await shops.remove(shopId))) throw shopNotFound(shopId);
      res.status(204).end();
    },
  });

  const sync = route({
    method: 'post',
    path: '/v1/shops/{shopId}/sync',
    access: 'configure',
    operationId: 'syncShop',
    tag: 'Shops',
    summary:
      'Backfill: import one page of the shop’s fulfilled orders since a date (admin); safe to repeat',
    description:
      'Each fulfillment with a tracking number is registered as webhooks would register it; one already registered is left as it is. Send `nextCursor` back for the next page until it is null; the last page sets the shop’s lastSyncedAt.',
    params: shopParams,
    body: syncBody,
    answer: {
      description:
        '{orders, imported, updated, cancelled, unchanged, skipped, notes, nextCursor, total?}',
      schema: syncResponse,
    },
    responses: {
      '404': 'Unknown shop',
      '409': 'The shop was removed',
      '502': 'The shop refused the call (credentials, or a request it rejects)',
      '503': 'The shop or Temporal is unavailable right now: send the same page again',
    },
    handler: async ({ req, params: { shopId }, body }) => {
      const shop = await shops.get(shopId);
      if (!shop) throw shopNotFound(shopId);
      if (shop.removedAt) throw shopRemoved(shopId);
      const connection = (await shops.connection(shopId))!;
      const api = platforms.shopApiFor(connection, { fetch: deps.fetch });
      let page;
      try {
        page = await api.listFulfilledOrders({ since: new Date(body.since), cursor: body.cursor });
      } catch (err) {
        if (!(err instanceof ShopApiError)) throw err;
        (req.log ?? deps.logger).warn(
          { shopId, kind: err.kind, status: err.status },
          'shop API failed during sync',
        );
        if (err.kind === 'unauthorized')
          await deps.credentialsFailing(connection, 'read its orders for a backfill', err);
        throw shopApiFailed(shopId, err.kind, err.message);
      }
      if (shop.credentialsFailingSince) await shops.markCredentialsWorking(shopId);
      const result = await intake.takeOrders(connection, page.orders, 'backfill');
      if (!page.nextCursor) await shops.markSynced(shopId);
      return {
        orders: page.orders.length,
        imported: result.registered,
        updated: result.updated,
        cancelled: result.cancelled,
        unchanged: result.unchanged,
        skipped: result.skipped,
        notes: result.notes,
        nextCursor: page.nextCursor ?? null,
        ...(page.total !== undefined ? { total: page.total } : {}),
      };
    },
  });

  return [list, put, get, remove, sync];
}
