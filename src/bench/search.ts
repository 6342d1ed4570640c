/**
 * Section `search`: `GET /v1/shipments?q=` among 10,000 × BENCH_SCALE shipments (issue 18: an
 * order number is found in under 50 ms). The rows go straight into the read model, 500 per
 * insert, with no workflows: search reads only the table. Every row has its own order id,
 * tracking number, customer name and e-mail; every other row came from a shop and has a shop
 * order name (#NNNNNNNN). After `analyze`, the bench looks up 200 rows by each kind of term, one
 * request at a time through the API, checks that each answer holds the row it looked for, and
 * reports p50 and p95 per kind against the 50 ms goal.
 */
import { sql } from 'drizzle-orm';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { shipments } from '../db/schema/shipments';
import { shipmentRow } from '../shipments/shipments.rows';
import { api, percentile, registration, round, runTag } from './kit';
import type { BenchFigure, BenchSection, BenchStack } from './types';

const ROWS = 10_000;
const INSERT_CHUNK = 500;
const LOOKUPS = 200;
const GOAL_MS = 50;

/** A kind of search term and how to make it from a row. */
interface LookupKind {
  id: string;
  label: string;
  /** The rows it can find (shop order names exist on every other row only). */
  rows: (n: number) => number[];
  term: (row: number) => string;
}

/** Fixed-width numbers, so no row's value is a prefix of another's. */
const pad = (i: number) => String(i).padStart(6, '0');

interface Names {
  tag: string;
  /** First shop order number of the run (8 digits, the rest follow). */
  orderNameBase: number;
}

const shipmentId = (n: Names, i: number) => `bench-search-${n.tag}-${pad(i)}`;
const trackingNumber = (n: Names, i: number) => `BQ${n.tag}${pad(i)}DE`.toUpperCase();
const email = (n: Names, i: number) => `kunde.${n.tag}.${pad(i)}@example.com`;
const customerName = (n: Names, i: number) => `Erika Mustermann ${n.tag}-${pad(i)}`;
const orderName = (n: Names, i: number) => `#${n.orderNameBase + i}`;
const hasShop = (i: number) => i % 2 === 0;

function row(n: Names, i: number): typeof shipments.$inferInsert {
  const body = registration({
    shipmentId: shipmentId(n, i),
    trackingNumber: trackingNumber(n, i),
    carrier: 'dhl',
    policy: 'default',
    sku: 'BENCH-SKU',
  });
  const reg: ShipmentRegistration = {
    ...body,
    customer: { name: customerName(n, i), email: email(n, i), locale: 'de-DE' },
    ...(hasShop(i)
      ? {
          shop: {
            shopId: 'bench-search-shop',
            platform: 'shopify' as const,
            orderId: `gid://shopify/Order/${n.orderNameBase + i}`,
            orderName: orderName(n, i),
          },
        }
      : {}),
  };
  return shipmentRow(reg);
}

/** `count` distinct rows of 0..n-1 spread over the table (a stride prime to n). */
function spread(n: number, count: number, only: (i: number) => boolean = () => true): number[] {
  const candidates = Array.from({ length: n }, (_, i) => i).filter(only);
  const k = Math.min(count, candidates.length);
  const stride = [7919, 7907, 7901].find((p) => candidates.length % p !== 0) ?? 1;
  return Array.from({ length: k }, (_, j) => candidates[(j * stride + 17) % candidates.length]!);
}

function kinds(n: Names): LookupKind[] {
  return [
    {
      id: 'order',
      label: 'order number',
      rows: (count) => spread(count, LOOKUPS),
      term: (i) => `order-${shipmentId(n, i)}`,
    },
    {
      id: 'order-name',
      label: 'shop order name (#…)',
      rows: (count) => spread(count, LOOKUPS, hasShop),
      term: (i) => orderName(n, i),
    },
    {
      id: 'tracking',
      label: 'tracking number',
      rows: (count) => spread(count, LOOKUPS),
      term: (i) => trackingNumber(n, i),
    },
    {
      id: 'email',
      label: 'customer e-mail',
      rows: (count) => spread(count, LOOKUPS),
      term: (i) => email(n, i),
    },
    {
      id: 'name',
      label: 'part of the customer name',
      rows: (count) => spread(count, LOOKUPS),
      // The middle of the name, in other case: a substring match, not a prefix.
      term: (i) => `MANN ${n.tag}-${pad(i)}`.toUpperCase(),
    },
  ];
}

async function insertRows(
  stack: BenchStack,
  progress: (msg: string) => void,
  n: Names,
  count: number,
): Promise<number> {
  const started = Date.now();
  let lastProgress = started;
  for (let from = 0; from < count; from += INSERT_CHUNK) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + INSERT_CHUNK); i++) rows.push(row(n, i));
    await stack.database.db.insert(shipments).values(rows);
    const done = from + rows.length;
    if (Date.now() - lastProgress >= 2_000 || done === count) {
      lastProgress = Date.now();
      progress(`${done}/${count} read-model rows inserted`);
    }
  }
  return (Date.now() - started) / 1000;
}

interface ListAnswer {
  items: { shipmentId: string }[];
}

export const searchSection: BenchSection = {
  id: 'search',
  title: 'GET /v1/shipments?q= among 10,000 shipments, per kind of term',
  async run(stack, ctx) {
    const count = Math.max(100, Math.round(ROWS * ctx.scale));
    const tag = runTag();
    const names: Names = {
      tag,
      orderNameBase: 20_000_000 + (parseInt(tag, 16) % 700) * 100_000,
    };
    const insertSeconds = await insertRows(stack, (m) => ctx.progress(m), names, count);
    await stack.database.sql`analyze shipments`;
    const [{ total } = { total: 0 }] = await stack.database.db
      .select({ total: sql<number>`count(*)::int` })
      .from(shipments);

    const lookup = async (term: string, wanted: string): Promise<number> => {
      const started = performance.now();
      const res = await api<ListAnswer>(
        stack,
        'GET',
        `/v1/shipments?q=${encodeURIComponent(term)}`,
      );
      const ms = performance.now() - started;
      if (!res.items.some((item) => item.shipmentId === wanted)) {
        throw new Error(
          `q=${term} did not find ${wanted} (answered ${res.items.length}: ${res.items
            .slice(0, 3)
            .map((x) => x.shipmentId)
            .join(', ')})`,
        );
      }
      return ms;
    };

    // Warm the API's connections and the plan cache before timing.
    for (const kind of kinds(names)) {
      for (const i of kind.rows(count).slice(0, 5))
        await lookup(kind.term(i), shipmentId(names, i));
    }

    const figures: BenchFigure[] = [];
    for (const kind of kinds(names)) {
      const rows = kind.rows(count);
      ctx.progress(`${rows.length} lookups by ${kind.label}`);
      const times: number[] = [];
      for (const i of rows) times.push(await lookup(kind.term(i), shipmentId(names, i)));
      const detail = {
        rows: total,
        benchRows: count,
        lookups: times.length,
        sequential: true,
        example: kind.term(rows[0]!),
        insertSeconds: round(insertSeconds, 1),
        maxMs: round(Math.max(...times), 1),
        meanMs: round(times.reduce((a, b) => a + b, 0) / times.length, 2),
      };
      for (const p of [50, 95] as const) {
        figures.push({
          id: `search.${kind.id}.p${p}`,
          section: 'search',
          label: `q = ${kind.label}, p${p}`,
          value: round(percentile(times, p), 1),
          unit: 'ms',
          better: 'lower',
          limit: { label: 'goal', value: GOAL_MS, unit: 'ms' },
          detail,
        });
      }
    }
    // The later sections measure their own shipments on a table of the usual size.
    await stack.database
      .sql`delete from shipments where shipment_id like ${`bench-search-${tag}-%`}`;
    return figures;
  },
};
