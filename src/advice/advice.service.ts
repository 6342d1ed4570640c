/**
 * Advice with cached inputs: the channel policy, the rate card, every carrier lane's loss and delay
 * counts and the packaging rules are read together (a handful of queries) at most once per TTL,
 * and served stale while a refresh runs, so a registration computes its advice in memory.
 */
import { LRUCache } from 'lru-cache';
import { createAnalyticsRepository } from '../analytics/analytics.repository';
import type { ChannelPolicy, RateCardRow } from '../channels/channel-choice';
import { createChannelSettings } from '../channels/channel-settings';
import type { Db } from '../db/client';
import { computeAdvice, type AdviceContext, type AdviceInput, type LaneFigure } from './advice';
import type { ShipmentAdvice, ShipmentAdviceRecord } from './advice.types';
import { DEFAULT_PACKAGING_RULES, type Category, type PackagingRule } from './packaging';
import { createSettingsRepository } from './settings.repository';

export const DEFAULT_SELLER = 'default';
/** How long cached figures are used before a refresh (a lane's rate moves over days, not seconds). */
export const ADVICE_CACHE_TTL_MS = 60_000;

interface Snapshot {
  policy: ChannelPolicy;
  policyVersion: number;
  rateCard: RateCardRow[];
  rateCardVersion: number;
  figures: LaneFigure[];
  figuresAt: Date;
  packaging: Map<string, { version: number; rules: PackagingRule[] }>;
}

/** What advice needs from a registration (the body POST /v1/shipments takes). */
export interface RegistrationForAdvice {
  carrier: string;
  service?: string;
  origin: { country: string };
  destination: { country: string };
  declaredValue: number;
  currency: string;
  items: readonly { sku: string; category?: Category; hasBattery?: boolean }[];
  shop?: { shopId: string };
}

export function createAdviceService(deps: {
  db: Db;
  /** The channel policy until one is stored (the configured default). */
  fallbackPolicy: ChannelPolicy;
  ttlMs?: number;
}) {
  const settings = createSettingsRepository(deps.db);
  const channels = createChannelSettings(deps.db, settings, deps.fallbackPolicy);
  const analytics = createAnalyticsRepository(deps.db);

  const load = async (): Promise<Snapshot> => {
    const [policy, card, figures, packaging] = await Promise.all([
      channels.policy(),
      channels.rateCard(),
      analytics.laneFigures(),
      settings.all<PackagingRule[]>('packaging_rules'),
    ]);
    return {
      policy: policy.policy,
      policyVersion: policy.version,
      rateCard: card.rates,
      rateCardVersion: card.version,
      figures,
      figuresAt: new Date(),
      packaging: new Map(packaging.map((p) => [p.name, { version: p.version, rules: p.body }])),
    };
  };
  const cache = new LRUCache<'snapshot', Snapshot>({
    max: 1,
    ttl: deps.ttlMs ?? ADVICE_CACHE_TTL_MS,
    // A registration never waits for a refresh once figures exist: the old ones serve meanwhile.
    allowStale: true,
    noDeleteOnFetchRejection: true,
    fetchMethod: load,
  });

  async function context(seller: string): Promise<AdviceContext> {
    const snap = await cache.fetch('snapshot');
    if (!snap) throw new Error('advice figures could not be loaded');
    const own = snap.packaging.get(seller);
    const shared = snap.packaging.get(DEFAULT_SELLER);
    const packaging = own
      ? { seller, ...own }
      : shared
        ? { seller: DEFAULT_SELLER, ...shared }
        : { seller: DEFAULT_SELLER, version: 0, rules: DEFAULT_PACKAGING_RULES };
    return { ...snap, packaging };
  }

  return {
    channels,
    settings,
    async advise(input: AdviceInput, seller = DEFAULT_SELLER): Promise<ShipmentAdvice> {
      return computeAdvice(input, await context(seller));
    },

    /** The advice a registration gets, with whether its carrier is the recommended one. */
    async forRegistration(r: RegistrationForAdvice): Promise<ShipmentAdviceRecord> {
      const advice = await this.advise(
        {
          origin: r.origin.country,
          destination: r.destination.country,
          items: r.items.map((i) => ({ category: i.category, hasBattery: i.hasBattery })),
          declaredValue: r.declaredValue,
          currency: r.currency,
          carrier: r.carrier,
          service: r.service,
        },
        r.shop?.shopId ?? DEFAULT_SELLER,
      );
      return {
        ...advice,
        followedChannel: advice.channel.carrier.toLowerCase() === r.carrier.toLowerCase(),
      };
    },

    /** Drops the cached figures: the next advice reads settings and lane figures afresh. */
    invalidate(): void {
      cache.clear();
    },
  };
}
export type AdviceService = ReturnType<typeof createAdviceService>;
