/**
 * The channel policy and the rate card as versioned data (settings kinds `channel_policy` and
 * `rate_card`). The policy stored through the API is the source of truth; the built-in default
 * (DEFAULT_CHANNEL_POLICY with the configured thresholds) applies until one is stored. The rate
 * card's rows live in `channel_rates`, which reships read; each change is also kept as a version.
 */
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { channelRates } from '../db/schema';
import type { SettingsRepository } from '../advice/settings.repository';
import type { ChannelPolicy, RateCardRow } from './channel-choice';
import { allRates } from './channel.repository';

export const DEFAULT_SETTING = 'default';

export interface VersionedPolicy {
  version: number;
  updatedAt: Date | null;
  policy: ChannelPolicy;
}
export interface VersionedRateCard {
  version: number;
  updatedAt: Date | null;
  rates: RateCardRow[];
}

export function createChannelSettings(db: Db, repo: SettingsRepository, fallback: ChannelPolicy) {
  return {
    async policy(): Promise<VersionedPolicy> {
      const stored = await repo.get<ChannelPolicy>('channel_policy', DEFAULT_SETTING);
      return stored
        ? { version: stored.version, updatedAt: stored.updatedAt, policy: stored.body }
        : { version: 0, updatedAt: null, policy: fallback };
    },

    async putPolicy(policy: ChannelPolicy, source = 'api'): Promise<VersionedPolicy> {
      const { stored } = await repo.put('channel_policy', DEFAULT_SETTING, policy, source);
      return { version: stored.version, updatedAt: stored.updatedAt, policy: stored.body };
    },

    /** The rate card: the rows of `channel_rates`, with the version of its last change. */
    async rateCard(): Promise<VersionedRateCard> {
      const [stored, rates] = await Promise.all([
        repo.get<RateCardRow[]>('rate_card', DEFAULT_SETTING),
        allRates(db),
      ]);
      return { version: stored?.version ?? 0, updatedAt: stored?.updatedAt ?? null, rates };
    },

    /**
     * Replaces the rows of the given carriers (all rows when `carriers` is undefined) with `rows`
     * and stores the resulting card as a new version; the same card again changes nothing.
     */
    async putRates(
      rows: RateCardRow[],
      source: string,
      carriers?: string[],
    ): Promise<{ card: VersionedRateCard; changed: boolean }> {
      const current = await allRates(db);
      const replaced = new Set(carriers ?? current.map((r) => r.carrier));
      const next = [...current.filter((r) => !replaced.has(r.carrier)), ...rows].sort((a, b) =>
        `${a.carrier}/${a.service}/${a.originCountry}/${a.destinationCountry}`.localeCompare(
          `${b.carrier}/${b.service}/${b.originCountry}/${b.destinationCountry}`,
        ),
      );
      const { stored, changed } = await repo.put(
        'rate_card',
        DEFAULT_SETTING,
        next,
        source,
        async (tx) => {
          const gone = [...new Set([...replaced, ...rows.map((r) => r.carrier)])];
          if (gone.length) await tx.delete(channelRates).where(inArray(channelRates.carrier, gone));
          if (rows.length) await tx.insert(channelRates).values(rows);
        },
      );
      return {
        card: { version: stored.version, updatedAt: stored.updatedAt, rates: next },
        changed,
      };
    },
  };
}
export type ChannelSettings = ReturnType<typeof createChannelSettings>;
