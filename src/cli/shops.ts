/**
 * `parcelwarden shops add|list|remove|sync`: connected shops through the API (admin key).
 */
import { ApiProblem, CliError } from './client';
import type { CommandTools, Options } from './command-tools';
import { relative, table } from './format';
import { createProgress } from './progress';

interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
}

/** The lines `parcelwarden --help` lists for the shop commands. */
export const SHOPS_COMMAND_LINES = `  shops add <shopId> …             connect a Shopify or WooCommerce store
  shops list                       the connected stores
  shops remove <shopId>            stop taking a store's orders in
  shops sync <shopId> --since <d>  import a store's fulfilled orders since a date`;

interface ShopView {
  shopId: string;
  platform: string;
  domain: string;
  apiUrl: string;
  policy: string;
  originCountry: string;
  credentials: Record<string, string>;
  credentialsFailingSince: string | null;
  lastSyncedAt: string | null;
}

interface SyncPage {
  orders: number;
  imported: number;
  updated: number;
  cancelled: number;
  unchanged: number;
  skipped: number;
  notes: string[];
  nextCursor: string | null;
  total?: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const path = (shopId: string) => `/v1/shops/${encodeURIComponent(shopId)}`;

function help(tools: CommandTools) {
  const g = tools.globalOptions;
  return {
    add: `Usage: parcelwarden shops add <shopId> --platform shopify --domain <store.myshopify.com>
                          --token <shpat_…> --webhook-secret <secret> --origin-country <CC>
       parcelwarden shops add <shopId> --platform woocommerce --url <https://shop.example.com>
                          --consumer-key <ck_…> --consumer-secret <cs_…> --webhook-secret <secret>
                          --origin-country <CC>

Connects a store (PUT /v1/shops/<shopId>, admin key), or changes a connected one: every option
is set again; leave out the credential options to keep the stored credentials. Credentials are
sealed by the API and never shown again. Then point the store's webhooks at
<API>/v1/shop-webhooks/<platform>, signed with the webhook secret.

Options:
  --platform <p>          shopify or woocommerce
  --domain <host>         the store's host as its webhooks name it (example.myshopify.com)
  --url <url>             the store's base URL, when its API is not at https://<domain>
  --token <t>             Shopify: Admin API access token of the store's custom app
  --consumer-key <k>      WooCommerce: REST API consumer key
  --consumer-secret <s>   WooCommerce: REST API consumer secret
  --webhook-secret <s>    the secret the store signs its webhooks with
  --origin-country <CC>   where the store's parcels leave from (ISO code, e.g. CN)
  --policy <name>         policy of the store's shipments (default "default")
  --sender-name <name>    the sender name customers see in our mails
  --reply-to <email>      where customers' answers to our mails go

${g}`,
    list: `Usage: parcelwarden shops list [--json]

The connected stores (GET /v1/shops): platform, domain, policy, which credentials are stored,
whether the store refuses them, and the last backfill.

${g}`,
    remove: `Usage: parcelwarden shops remove <shopId>

Stops taking the store's orders in (DELETE /v1/shops/<shopId>, admin key): its webhooks and
backfills are refused from now on. Shipments already registered go on, and refunds and
replacement orders still reach the store.

${g}`,
    sync: `Usage: parcelwarden shops sync <shopId> --since <date> [--json]

Imports the store's fulfilled orders created or updated since <date> (2026-11-01 or an ISO
date-time), page by page through POST /v1/shops/<shopId>/sync (admin key), with a progress bar
and a summary. Each fulfillment with a tracking number becomes a shipment as its webhook would
make it. Safe to run again: what is registered already is counted as unchanged.

Options:
  --since <date>   start of the period (a day is taken as 00:00 UTC)
  --json           print the summary as JSON

${g}`,
  };
}

/** The `--since` value as an ISO instant: a day is its midnight UTC. */
export function sinceInstant(value: string | undefined): string {
  if (!value)
    throw new CliError('Say from when to import: --since 2026-11-01 (or an ISO date-time).');
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = Date.parse(day);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new CliError(
      `--since "${value}" is not a date; give a day such as 2026-11-01 or a date-time such as 2026-11-01T08:00:00Z.`,
    );
  return new Date(ms).toISOString();
}

/** The PUT body of `shops add` from its options, with a clear message for each mistake. */
export function addBody(values: Record<string, unknown>): Record<string, unknown> {
  const platform = str(values.platform);
  if (platform !== 'shopify' && platform !== 'woocommerce')
    throw new CliError(
      platform
        ? `--platform must be shopify or woocommerce, not "${platform}".`
        : 'Say which platform: --platform shopify or --platform woocommerce.',
    );
  const domain = str(values.domain);
  const url = str(values.url);
  if (!domain && !url)
    throw new CliError(
      platform === 'shopify'
        ? 'Name the store: --domain example.myshopify.com.'
        : 'Name the store: --url https://shop.example.com (or --domain shop.example.com).',
    );
  const originCountry = str(values['origin-country']);
  if (!originCountry)
    throw new CliError(
      "Say where the store's parcels leave from: --origin-country CN (ISO 3166-1 code).",
    );
  const given = (names: string[]) => names.filter((n) => str(values[n]) !== undefined);
  const shopifyOptions = ['token', 'webhook-secret'];
  const wooOptions = ['consumer-key', 'consumer-secret', 'webhook-secret'];
  const wrong =
    platform === 'shopify' ? given(['consumer-key', 'consumer-secret']) : given(['token']);
  if (wrong.length)
    throw new CliError(
      `${wrong.map((w) => `--${w}`).join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not a ${platform} credential; ${platform} takes ${(platform === 'shopify' ? shopifyOptions : wooOptions).map((o) => `--${o}`).join(', ')}.`,
    );
  const needed = platform === 'shopify' ? shopifyOptions : wooOptions;
  const present = given(needed);
  let credentials: Record<string, string> | undefined;
  if (present.length > 0) {
    const missing = needed.filter((n) => !present.includes(n));
    if (missing.length)
      throw new CliError(
        `Give all of the ${platform} credentials, or none to keep the stored ones: missing ${missing.map((m) => `--${m}`).join(', ')}.`,
      );
    credentials =
      platform === 'shopify'
        ? { accessToken: str(values.token)!, webhookSecret: str(values['webhook-secret'])! }
        : {
            consumerKey: str(values['consumer-key'])!,
            consumerSecret: str(values['consumer-secret'])!,
            webhookSecret: str(values['webhook-secret'])!,
          };
  }
  return {
    platform,
    ...(domain ? { domain } : {}),
    ...(url ? { url } : {}),
    ...(credentials ? { credentials } : {}),
    originCountry: originCountry.toUpperCase(),
    ...(str(values.policy) ? { policy: str(values.policy) } : {}),
    ...(str(values['sender-name']) ? { senderName: str(values['sender-name']) } : {}),
    ...(str(values['reply-to']) ? { replyTo: str(values['reply-to']) } : {}),
  };
}

function oneShopId(positionals: string[], usage: string): string {
  const [shopId, ...extra] = positionals;
  if (!shopId || extra.length) throw new CliError(`Give one shop id.\n\n${usage}`);
  return shopId;
}

/** Tries a page again while the API says it is briefly unavailable (429, 503…). */
async function withRetries<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ApiProblem) || !err.transient || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 500 * 2 ** (i - 1)));
    }
  }
}

export function shopsCommands(tools: CommandTools) {
  const HELP = help(tools);
  const print = (io: Io, text: string) => {
    io.stdout.write(`${text}\n`);
    return 0;
  };
  const addOptions: Options = {
    platform: { type: 'string' },
    domain: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    'webhook-secret': { type: 'string' },
    'consumer-key': { type: 'string' },
    'consumer-secret': { type: 'string' },
    'origin-country': { type: 'string' },
    policy: { type: 'string' },
    'sender-name': { type: 'string' },
    'reply-to': { type: 'string' },
  };

  async function add(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = tools.parse(argv, addOptions, HELP.add);
    if (values.help) return print(io, HELP.add);
    const shopId = oneShopId(positionals, HELP.add);
    const body = addBody(values);
    const api = tools.api(values, io.env);
    const res = await api.put<ShopView>(path(shopId), body);
    const s = res.body;
    const stored = Object.keys(s.credentials).join(', ') || 'none';
    return print(
      io,
      `Shop ${s.shopId} ${res.status === 201 ? 'connected' : 'updated'}: ${s.platform} store ${s.domain} (API ${s.apiUrl}), policy ${s.policy}, parcels from ${s.originCountry}.\n` +
        `Credentials stored (sealed): ${stored}.\n` +
        `Point the store's webhooks at ${api.url}/v1/shop-webhooks/${s.platform}.`,
    );
  }

  async function list(argv: string[], io: Io): Promise<number> {
    const { values } = tools.parse(argv, { json: { type: 'boolean' } }, HELP.list);
    if (values.help) return print(io, HELP.list);
    const { items } = await tools.api(values, io.env).get<{ items: ShopView[] }>('/v1/shops');
    if (values.json) return print(io, JSON.stringify(items, null, 2));
    if (!items.length)
      return print(io, 'No shops are connected. Connect one with `parcelwarden shops add`.');
    return print(
      io,
      table(
        ['shop', 'platform', 'domain', 'policy', 'from', 'credentials', 'last sync'],
        items.map((s) => [
          s.shopId,
          s.platform,
          s.domain,
          s.policy,
          s.originCountry,
          s.credentialsFailingSince
            ? `REFUSED since ${relative(s.credentialsFailingSince)}`
            : Object.keys(s.credentials).join(', ') || 'none',
          s.lastSyncedAt ? relative(s.lastSyncedAt) : 'never',
        ]),
      ),
    );
  }

  async function remove(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = tools.parse(argv, {}, HELP.remove);
    if (values.help) return print(io, HELP.remove);
    const shopId = oneShopId(positionals, HELP.remove);
    await tools.api(values, io.env).delete(path(shopId));
    return print(
      io,
      `Shop ${shopId} removed: its webhooks are refused from now on; its running shipments go on.`,
    );
  }

  async function sync(argv: string[], io: Io): Promise<number> {
    const { values, positionals } = tools.parse(
      argv,
      { since: { type: 'string' }, json: { type: 'boolean' } },
      HELP.sync,
    );
    if (values.help) return print(io, HELP.sync);
    const shopId = oneShopId(positionals, HELP.sync);
    const since = sinceInstant(str(values.since));
    const api = tools.api(values, io.env);
    const progress = createProgress(io.stderr, 'orders');
    const sum = { orders: 0, imported: 0, updated: 0, cancelled: 0, unchanged: 0, skipped: 0 };
    const notes: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: Record<string, string> = { since, ...(cursor ? { cursor } : {}) };
      const page: SyncPage = (
        await withRetries(() => api.post<SyncPage>(`${path(shopId)}/sync`, body))
      ).body;
      pages++;
      progress.start(Math.max(page.total ?? 0, sum.orders + page.orders));
      for (let i = 0; i < page.orders; i++) progress.tick(true);
      for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += page[k];
      for (const n of page.notes) if (notes.length < 50) notes.push(n);
      cursor = page.nextCursor;
    } while (cursor);
    progress.done();
    if (values.json) return print(io, JSON.stringify({ ...sum, pages, notes }, null, 2));
    io.stdout.write(
      `${sum.orders} orders since ${since}: ${sum.imported} shipments imported, ${sum.updated} updated, ${sum.cancelled} cancelled, ${sum.unchanged} already there, ${sum.skipped} skipped.\n`,
    );
    if (notes.length) io.stdout.write(`\nNotes:\n${notes.map((n) => `  - ${n}`).join('\n')}\n`);
    return 0;
  }

  return {
    'shops add': { help: HELP.add, run: add },
    'shops list': { help: HELP.list, run: list },
    'shops remove': { help: HELP.remove, run: remove },
    'shops sync': { help: HELP.sync, run: sync },
  };
}
