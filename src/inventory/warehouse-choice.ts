import { regionOf } from './regions';

/** A warehouse that could ship a reship, with what it has free of each SKU of the order. */
export interface WarehouseCandidate {
  warehouseId: string;
  country: string;
  kind: 'origin' | 'overseas' | string;
  /** Overrides the region derived from the country. */
  region?: string | null;
  /** on hand − reserved, per SKU; a missing SKU means none. */
  available: Record<string, number>;
}

export interface OrderLine {
  sku: string;
  quantity: number;
}

/**
 * How far a warehouse is from the customer, by lane: 0 same country, 1 same region (continent),
 * 2 anywhere else. Distance in kilometres would not say more: the risk of a reship is in borders
 * and hand-overs, which these tiers count.
 */
export function laneDistance(
  w: Pick<WarehouseCandidate, 'country' | 'region'>,
  destinationCountry: string,
): 0 | 1 | 2 {
  if (w.country.toUpperCase() === destinationCountry.toUpperCase()) return 0;
  return (w.region ?? regionOf(w.country)) === regionOf(destinationCountry) ? 1 : 2;
}

/** Free stock of a SKU: only the warehouse's own entries count (a SKU named "constructor" too). */
function freeStock(w: Pick<WarehouseCandidate, 'available'>, sku: string): number {
  return Object.hasOwn(w.available, sku) ? (w.available[sku] ?? 0) : 0;
}

/** Free stock left after the order in the warehouse's tightest SKU (negative: it cannot ship). */
function headroom(w: WarehouseCandidate, lines: OrderLine[]): number {
  return Math.min(...lines.map((l) => freeStock(w, l.sku) - l.quantity));
}

/**
 * Orders warehouses by preference for a destination: nearest lane first; within a lane an overseas
 * warehouse (stock already near the customer, shorter chain) before an origin one; then the one
 * left with more stock after the order; then by id so the order is stable.
 */
export function rankWarehouses<W extends WarehouseCandidate>(
  candidates: W[],
  destinationCountry: string,
  lines: OrderLine[] = [],
): W[] {
  const key = (w: W) => ({
    lane: laneDistance(w, destinationCountry),
    kind: w.kind === 'overseas' ? 0 : 1,
    room: lines.length ? headroom(w, lines) : 0,
  });
  return [...candidates].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return (
      ka.lane - kb.lane ||
      ka.kind - kb.kind ||
      kb.room - ka.room ||
      a.warehouseId.localeCompare(b.warehouseId)
    );
  });
}

export type WarehouseChoice<W extends WarehouseCandidate = WarehouseCandidate> =
  | { ok: true; warehouse: W; reason: string }
  | {
      ok: false;
      /** Per SKU, what even the best-stocked warehouse lacks (0 when stock exists only split). */
      shortfall: { sku: string; missing: number }[];
      /** The warehouse that should have held the order: where to buy or move the stock. */
      preferred?: W;
      /** What the preferred warehouse lacks to ship the whole order. */
      toBuy: { sku: string; quantity: number }[];
      reason: string;
    };

const describe = (w: WarehouseCandidate, destinationCountry: string) =>
  `${w.warehouseId} (${w.kind}, ${w.country}; ${
    ['same country', 'same region', 'other region'][laneDistance(w, destinationCountry)]
  } as ${destinationCountry})`;

/**
 * Picks the one warehouse that ships the whole order. An order is never split across warehouses:
 * two parcels double the postage and the chance of another loss, and the customer gets a partial
 * replacement. No single warehouse → a shortfall with what to buy where.
 */
export function chooseWarehouse<W extends WarehouseCandidate>(
  candidates: W[],
  destinationCountry: string,
  lines: OrderLine[],
): WarehouseChoice<W> {
  const ranked = rankWarehouses(candidates, destinationCountry, lines);
  const able = ranked.find((w) => headroom(w, lines) >= 0);
  if (able) {
    const first = ranked[0]!;
    const reason =
      able === first
        ? `${describe(able, destinationCountry)} is the nearest warehouse with the whole order.`
        : `${describe(able, destinationCountry)} is the nearest warehouse with the whole order; ${first.warehouseId} is nearer but short of stock.`;
    return { ok: true, warehouse: able, reason };
  }
  const most = (sku: string) => Math.max(0, ...candidates.map((w) => freeStock(w, sku)));
  const shortfall = lines.map((l) => ({
    sku: l.sku,
    missing: Math.max(0, l.quantity - most(l.sku)),
  }));
  const missing = shortfall.filter((s) => s.missing > 0);
  const preferred = ranked[0];
  const toBuy = lines
    .map((l) => ({
      sku: l.sku,
      quantity: Math.max(0, l.quantity - (preferred ? freeStock(preferred, l.sku) : 0)),
    }))
    .filter((l) => l.quantity > 0);
  const what = (missing.length ? missing : shortfall)
    .map((s) => (s.missing > 0 ? `${s.sku} short by ${s.missing}` : `${s.sku}`))
    .join(', ');
  const reason = missing.length
    ? `No warehouse has the whole order: ${what}.`
    : `No single warehouse has the whole order (${what} exist only in different warehouses; orders are not split).`;
  return {
    ok: false,
    shortfall: missing.length ? missing : shortfall,
    preferred,
    toBuy,
    reason: preferred
      ? `${reason} Suggested purchase for ${preferred.warehouseId}: ${toBuy.map((b) => `${b.quantity} × ${b.sku}`).join(', ')}.`
      : `${reason} There is no warehouse to ship from.`,
  };
}
