/**
 * Connected shops. Credentials are sealed with the secret box before they reach the database and
 * leave this module only inside a `ShopConnection` (intake, sync and the activities that call the
 * shop); what routes show is `ShopRecord`, which names the credential fields that are set and
 * never their values.
 */
import { coalesce } from '../db/coalesce';
import { and, asc, eq, isNotNull, isNull, ne, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { shops, shopWebhookReceipts } from '../db/schema/shops';
import type { ShopConnection, ShopCredentials, ShopPlatform } from './platform';
import type { SecretBox } from './secret-box';
import { shopsUnavailable } from './shops.errors';

/** Without PAYLOAD_KEY nothing is sealed or opened: those calls answer 503, the rest works. */
const NO_BOX: SecretBox = {
  seal() {
    throw shopsUnavailable();
  },
  open() {
    throw shopsUnavailable();
  },
};

type ShopRow = typeof shops.$inferSelect;

/**
 * The live shop, other than `input.shopId`, that holds the store at `platform` + `domain` (at most
 * one: a unique index backs this). `q` is the database or a transaction.
 */
async function domainHolder(
  q: Pick<Db, 'select'>,
  input: Pick<ShopInput, 'shopId' | 'platform' | 'domain'>,
): Promise<string | undefined> {
  const [holder] = await q
    .select({ shopId: shops.shopId })
    .from(shops)
    .where(
      and(
        eq(shops.platform, input.platform),
        eq(shops.domain, input.domain),
        isNull(shops.removedAt),
        ne(shops.shopId, input.shopId),
      ),
    );
  return holder?.shopId;
}

/** What PUT /v1/shops/{shopId} stores; without `credentials` the stored ones are kept. */
export interface ShopInput {
  shopId: string;
  platform: ShopPlatform;
  domain: string;
  apiUrl: string;
  credentials?: ShopCredentials;
  policy: string;
  originCountry: string;
  senderName?: string;
  replyTo?: string;
  logoUrl?: string;
  brandColor?: string;
}

/** A shop as routes show it: everything but the credentials, whose set fields are named. */
export interface ShopRecord {
  shopId: string;
  platform: ShopPlatform;
  domain: string;
  apiUrl: string;
  policy: string;
  originCountry: string;
  senderName: string | null;
  replyTo: string | null;
  logoUrl: string | null;
  brandColor: string | null;
  /** The credential fields stored (`accessToken`, `webhookSecret`…); empty when they cannot be opened. */
  credentialFields: string[];
  credentialsFailingSince: Date | null;
  lastSyncedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  removedAt: Date | null;
}

export type PutOutcome =
  | { kind: 'created' | 'updated'; shop: ShopRecord }
  /** New shop, or another platform than the stored credentials are for, without credentials. */
  | { kind: 'credentials_required' }
  /** Another active shop is this platform's store at this domain. */
  | { kind: 'domain_taken'; holder: string };

export interface ShopRepositoryOptions {
  /** How long a domain look-up is reused by intake (default 5 s). */
  domainCacheMs?: number;
  now?: () => number;
}

/** PostgreSQL's unique_violation, wherever drizzle put the driver's error. */
function uniqueViolation(err: unknown, constraint: string): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, constraint_name: name } = e as { code?: unknown; constraint_name?: unknown };
    if (code === '23505' && name === constraint) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function createShopRepository(
  db: Db,
  secretBox: SecretBox | undefined,
  opts: ShopRepositoryOptions = {},
) {
  // A burst of webhooks looks up and records its receipts in one statement per group.
  type ReceiptKey = { shopId: string; webhookId: string };
  const findReceipt = coalesce(async (keys: ReceiptKey[]) => {
    const rows = await db
      .select({
        shopId: shopWebhookReceipts.shopId,
        webhookId: shopWebhookReceipts.webhookId,
        outcome: shopWebhookReceipts.outcome,
        detail: shopWebhookReceipts.detail,
      })
      .from(shopWebhookReceipts)
      .where(
        or(
          ...keys.map((k) =>
            and(
              eq(shopWebhookReceipts.shopId, k.shopId),
              eq(shopWebhookReceipts.webhookId, k.webhookId),
            ),
          ),
        ),
      );
    const byKey = new Map(rows.map((r) => [`${r.shopId}\u0000${r.webhookId}`, r]));
    return keys.map((k) => {
      const row = byKey.get(`${k.shopId}\u0000${k.webhookId}`);
      return row ? { outcome: row.outcome, detail: row.detail } : undefined;
    });
  });
  const insertReceipt = coalesce(async (receipts: (typeof shopWebhookReceipts.$inferInsert)[]) => {
    await db.insert(shopWebhookReceipts).values(receipts).onConflictDoNothing();
    return receipts.map(() => undefined);
  });
  const box = secretBox ?? NO_BOX;
  const ttl = opts.domainCacheMs ?? 5_000;
  const now = opts.now ?? Date.now;
  /** Intake's look-ups by (platform, domain), promise and all: a burst shares one read. */
  const byDomainCache = new Map<
    string,
    { at: number; value: Promise<ShopConnection | undefined> }
  >();
  const domainKey = (platform: string, domain: string) => `${platform}\u0000${domain}`;
  const forget = (...rows: { platform: string; domain: string }[]) => {
    for (const r of rows) byDomainCache.delete(domainKey(r.platform, r.domain));
  };

  const openCredentials = (row: ShopRow): ShopCredentials =>
    JSON.parse(box.open(row.credentials)) as ShopCredentials;

  function record(row: ShopRow): ShopRecord {
    let credentialFields: string[] = [];
    try {
      credentialFields = Object.entries(openCredentials(row))
        .filter(([, v]) => typeof v === 'string' && v.length > 0)
        .map(([k]) => k);
    } catch {
      // Sealed under a key PAYLOAD_KEY no longer lists: shown as nothing set, fixed by a PUT.
    }
    return {
      shopId: row.shopId,
      platform: row.platform as ShopPlatform,
      domain: row.domain,
      apiUrl: row.apiUrl,
      policy: row.policy,
      originCountry: row.originCountry,
      senderName: row.senderName,
      replyTo: row.replyTo,
      logoUrl: row.logoUrl,
      brandColor: row.brandColor,
      credentialFields,
      credentialsFailingSince: row.credentialsFailingSince,
      lastSyncedAt: row.lastSyncedAt,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      removedAt: row.removedAt,
    };
  }

  function connectionOf(row: ShopRow): ShopConnection {
    return {
      shopId: row.shopId,
      platform: row.platform as ShopPlatform,
      domain: row.domain,
      apiUrl: row.apiUrl,
      credentials: openCredentials(row),
      policy: row.policy,
      originCountry: row.originCountry,
      ...(row.senderName ? { senderName: row.senderName } : {}),
      ...(row.replyTo ? { replyTo: row.replyTo } : {}),
    };
  }

  return {
    /**
     * Creates or replaces a shop (a removed one comes back). Without credentials the stored ones
     * are kept, as long as they are for the same platform.
     */
    async put(input: ShopInput): Promise<PutOutcome> {
      try {
        const outcome = await db.transaction(async (tx): Promise<PutOutcome> => {
          const [existing] = await tx
            .select()
            .from(shops)
            .where(eq(shops.shopId, input.shopId))
            .for('update');
          let credentials: string;
          if (input.credentials) credentials = box.seal(JSON.stringify(input.credentials));
          else if (existing && existing.platform === input.platform)
            credentials = existing.credentials;
          else return { kind: 'credentials_required' };

          const holder = await domainHolder(tx, input);
          if (holder) return { kind: 'domain_taken', holder };

          const values = {
            platform: input.platform,
            domain: input.domain,
            apiUrl: input.apiUrl,
            credentials,
            policy: input.policy,
            originCountry: input.originCountry,
            senderName: input.senderName ?? null,
            replyTo: input.replyTo ?? null,
            logoUrl: input.logoUrl ?? null,
            brandColor: input.brandColor ?? null,
          };
          if (!existing) {
            const [row] = await tx
              .insert(shops)
              .values({ shopId: input.shopId, ...values })
              .returning();
            return { kind: 'created', shop: record(row!) };
          }
          const [row] = await tx
            .update(shops)
            .set({
              ...values,
              // New credentials end an outage of the old ones.
              ...(input.credentials ? { credentialsFailingSince: null } : {}),
              removedAt: null,
              updatedAt: new Date(),
            })
            .where(eq(shops.shopId, input.shopId))
            .returning();
          forget(existing);
          return { kind: 'updated', shop: record(row!) };
        });
        forget(input);
        return outcome;
      } catch (err) {
        // Two PUTs racing for one store: the unique index decides.
        if (uniqueViolation(err, 'shops_platform_domain_uq')) {
          const holder = await domainHolder(db, input);
          return { kind: 'domain_taken', holder: holder ?? 'another shop' };
        }
        throw err;
      }
    },

    /** A shop, removed or not, without its credentials. */
    async get(shopId: string): Promise<ShopRecord | undefined> {
      const [row] = await db.select().from(shops).where(eq(shops.shopId, shopId));
      return row && record(row);
    },

    /** The connected (not removed) shops by id, without credentials. */
    async list(): Promise<ShopRecord[]> {
      const rows = await db
        .select()
        .from(shops)
        .where(isNull(shops.removedAt))
        .orderBy(asc(shops.shopId));
      return rows.map(record);
    },

    /**
     * Stops intake from the shop (its webhooks are refused, sync too); its running shipments go
     * on and still reach it for refunds and replacements. False for a shop that never existed.
     */
    async remove(shopId: string): Promise<boolean> {
      const [row] = await db
        .update(shops)
        .set({ removedAt: new Date(), updatedAt: new Date() })
        .where(and(eq(shops.shopId, shopId), isNull(shops.removedAt)))
        .returning({ platform: shops.platform, domain: shops.domain });
      if (row) {
        forget(row);
        return true;
      }
      const [existing] = await db
        .select({ shopId: shops.shopId })
        .from(shops)
        .where(eq(shops.shopId, shopId));
      return existing !== undefined;
    },

    /**
     * The shop with its credentials opened, removed or not: refunds and replacements of running
     * shipments still need them after intake stopped.
     */
    async connection(shopId: string): Promise<ShopConnection | undefined> {
      const [row] = await db.select().from(shops).where(eq(shops.shopId, shopId));
      return row && connectionOf(row);
    },

    /**
     * The active shop of a platform's store, for intake. Remembered for a few seconds (unknown
     * domains too), so a burst of webhooks reads the row once; a PUT or DELETE through this
     * repository forgets it at once (other API processes within the few seconds).
     */
    byDomain(platform: ShopPlatform, domain: string): Promise<ShopConnection | undefined> {
      const key = domainKey(platform, domain.toLowerCase());
      const cached = byDomainCache.get(key);
      if (cached && now() - cached.at < ttl) return cached.value;
      const value = db
        .select()
        .from(shops)
        .where(
          and(
            eq(shops.platform, platform),
            eq(shops.domain, domain.toLowerCase()),
            isNull(shops.removedAt),
          ),
        )
        .then(([row]) => row && connectionOf(row));
      byDomainCache.set(key, { at: now(), value });
      // A failed read is not remembered.
      void value.catch(() => byDomainCache.delete(key));
      return value;
    },

    /** Records that the shop refused its credentials; true only for the first failure of an outage. */
    async markCredentialsFailing(shopId: string): Promise<boolean> {
      const rows = await db
        .update(shops)
        .set({ credentialsFailingSince: new Date() })
        .where(and(eq(shops.shopId, shopId), isNull(shops.credentialsFailingSince)))
        .returning({ shopId: shops.shopId });
      return rows.length > 0;
    },

    /** The shop took its credentials again: the outage is over (the next failure alerts again). */
    async markCredentialsWorking(shopId: string): Promise<void> {
      await db
        .update(shops)
        .set({ credentialsFailingSince: null })
        .where(and(eq(shops.shopId, shopId), isNotNull(shops.credentialsFailingSince)));
    },

    /** The receipt of a webhook delivery taken before, if any. */
    /** The receipt of a webhook delivery taken before, if any (looked up with others at once). */
    receipt(
      shopId: string,
      webhookId: string,
    ): Promise<{ outcome: string; detail: string | null } | undefined> {
      return findReceipt({ shopId, webhookId });
    },

    /** Records a delivery once it was acted on (a second record of the same id is dropped). */
    recordReceipt(receipt: {
      shopId: string;
      webhookId: string;
      topic: string;
      outcome: string;
      detail: string;
    }): Promise<void> {
      return insertReceipt(receipt);
    },

    /** When a backfill last finished. */
    async markSynced(shopId: string, at: Date = new Date()): Promise<void> {
      await db.update(shops).set({ lastSyncedAt: at }).where(eq(shops.shopId, shopId));
    },
  };
}
export type ShopRepository = ReturnType<typeof createShopRepository>;
