/**
 * Packaging advice as data: rules by product category, battery, origin and destination country,
 * and declared value, each with the public source it follows. The defaults below ship with the
 * product; a seller replaces them through PUT /v1/packaging-rules/{seller}.
 */
import { z } from 'zod';

export const CATEGORIES = [
  'fragile',
  'liquid',
  'electronics',
  'apparel',
  'cosmetics',
  'documents',
  'jewelry',
  'food',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

const countryList = z.array(z.string().regex(/^[A-Z]{2}$/, 'must be a country code such as DE'));

export const packagingRule = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lower-case letters, digits, . _ -'),
    when: z
      .object({
        /** Item categories the rule is about; absent: the shipment as a whole. */
        categories: z.array(z.enum(CATEGORIES)).min(1).optional(),
        /** Only items that contain or are batteries (true), or that do not (false). */
        hasBattery: z.boolean().optional(),
        origins: countryList.optional(),
        destinations: countryList.optional(),
        /** Origins the rule does not apply to (e.g. a language rule for foreign shipments). */
        notOrigins: countryList.optional(),
        minDeclaredValue: z.number().nonnegative().optional(),
      })
      .strict()
      .default({}),
    advice: z.string().min(1).max(1000),
    source: z.object({ name: z.string().min(1).max(200), url: z.url() }).strict(),
  })
  .strict();
export type PackagingRule = z.output<typeof packagingRule>;

export const packagingRules = z
  .array(packagingRule)
  .max(500)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      if (seen.has(r.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `repeats the id ${r.id}` });
      seen.add(r.id);
    });
  });

const UPU_CUSTOMS = {
  name: 'Universal Postal Union: customs declarations (CN 22 / CN 23)',
  url: 'https://www.upu.int/en/postal-solutions/programmes-services/customs',
};
const IATA_LITHIUM = {
  name: 'IATA Lithium Battery Guidance Document (Dangerous Goods Regulations, PI 966/967, 969/970)',
  url: 'https://www.iata.org/en/programs/cargo/dgr/lithium-batteries/',
};
const USPS_PUB52 = {
  name: 'USPS Publication 52: Hazardous, Restricted, and Perishable Mail',
  url: 'https://pe.usps.com/text/pub52/welcome.htm',
};
const UPS_PACKAGING = {
  name: 'UPS packaging guidelines',
  url: 'https://www.ups.com/us/en/support/shipping-support/shipping-special-care-regulated-items/packaging-guidelines.page',
};
const FEDEX_PACKAGING = {
  name: 'FedEx packaging guidelines',
  url: 'https://www.fedex.com/en-us/shipping/packaging.html',
};

export const DEFAULT_PACKAGING_RULES: PackagingRule[] = [
  {
    id: 'declared-names-match',
    when: {},
    advice:
      'Describe every item on the customs declaration as what it is (material and use, e.g. "cotton T-shirt", "phone case, silicone"); vague words such as "gift", "sample", "accessories" or "parts" are refused or held by customs.',
    source: UPU_CUSTOMS,
  },
  {
    id: 'labels-several-sides',
    when: {},
    advice:
      'Put the address label on the largest face and a copy of the address and the order number inside the parcel; repeat the tracking label or handling marks on at least two other sides so a scanner finds one whatever way the box lies.',
    source: UPS_PACKAGING,
  },
  {
    id: 'declaration-language',
    when: { notOrigins: ['GB', 'US', 'CA', 'AU', 'IE', 'NZ', 'FR', 'BE', 'CH', 'LU'] },
    advice:
      "Write the customs declaration and the item names in English or French (the UPU languages for CN 22/CN 23) or in the destination country's language, never only in the origin's language; customs may hold a parcel whose papers they cannot read.",
    source: UPU_CUSTOMS,
  },
  {
    id: 'lithium-battery',
    when: { categories: ['electronics'], hasBattery: true },
    advice:
      'Lithium battery: ship it installed in the device (UN3481/UN3091, contained in equipment), device switched off and protected against activation, terminals protected against short circuit, in a strong outer box; put the lithium battery mark on the parcel; loose spare batteries go by ground only or not at all. Declare the battery on the customs form.',
    source: IATA_LITHIUM,
  },
  {
    id: 'electronics-cushioning',
    when: { categories: ['electronics'] },
    advice:
      'Put the device in an antistatic bag with at least 5 cm (2 in) of cushioning on every side, in a new double-wall box; declare the model (e.g. "Bluetooth headphones, model X"), not "electronics".',
    source: UPS_PACKAGING,
  },
  {
    id: 'fragile-double-box',
    when: { categories: ['fragile'] },
    advice:
      'Wrap each fragile piece separately, box it with 5 cm of cushioning, then put that box into a second one (box-in-box); mark "Fragile" on the top and on at least two sides: one label is not seen once the parcel is turned.',
    source: FEDEX_PACKAGING,
  },
  {
    id: 'liquid-leakproof',
    when: { categories: ['liquid'] },
    advice:
      'Seal the container (screw cap taped), put it in a sealed plastic bag with enough absorbent to take all the liquid, and mark "this way up" arrows on two opposite sides; flammable liquids are dangerous goods and need the carrier\'s agreement.',
    source: USPS_PUB52,
  },
  {
    id: 'cosmetics-flammable',
    when: { categories: ['cosmetics'] },
    advice:
      'Perfume, nail polish and aerosols are flammable (UN1266, UN1950): most international postal and air services refuse them or accept them only as limited quantities by ground; check the channel before booking and declare the product type precisely.',
    source: USPS_PUB52,
  },
  {
    id: 'documents-flat',
    when: { categories: ['documents'] },
    advice:
      'Send documents flat in a rigid, waterproof envelope; declare them as "documents" with no commercial value only when that is true, otherwise as the printed matter they are.',
    source: UPU_CUSTOMS,
  },
  {
    id: 'apparel-bag',
    when: { categories: ['apparel'] },
    advice:
      'A water-resistant poly mailer is enough for clothing; declare fibre and garment (e.g. "women\'s wool sweater"), as customs tariffs depend on both.',
    source: UPU_CUSTOMS,
  },
  {
    id: 'valuable-plain-box',
    when: { minDeclaredValue: 200 },
    advice:
      'A valuable parcel travels in a plain box with no brand name or hint of its value, sealed with tamper-evident tape, with signature on delivery where the channel offers it.',
    source: FEDEX_PACKAGING,
  },
];

export interface PackagingItem {
  category?: Category;
  hasBattery?: boolean;
}

export interface PackagingContext {
  origin: string;
  destination: string;
  declaredValue: number;
  items: readonly PackagingItem[];
}

export interface PackagingMatch {
  rule: string;
  advice: string;
  source: { name: string; url: string };
  /** Indexes of the items the rule matched; empty for a rule about the shipment as a whole. */
  items: number[];
}

/** The rules that apply, in the order the rule list gives them. */
export function packagingAdvice(
  rules: readonly PackagingRule[],
  ctx: PackagingContext,
): PackagingMatch[] {
  const out: PackagingMatch[] = [];
  for (const rule of rules) {
    const w = rule.when;
    if (w.origins && !w.origins.includes(ctx.origin)) continue;
    if (w.notOrigins?.includes(ctx.origin)) continue;
    if (w.destinations && !w.destinations.includes(ctx.destination)) continue;
    if (w.minDeclaredValue !== undefined && ctx.declaredValue < w.minDeclaredValue) continue;
    const itemLevel = w.categories !== undefined || w.hasBattery !== undefined;
    const items = itemLevel
      ? ctx.items.flatMap((item, i) =>
          (!w.categories ||
            (item.category !== undefined && w.categories.includes(item.category))) &&
          (w.hasBattery === undefined || (item.hasBattery ?? false) === w.hasBattery)
            ? [i]
            : [],
        )
      : [];
    if (itemLevel && items.length === 0) continue;
    out.push({ rule: rule.id, advice: rule.advice, source: rule.source, items });
  }
  return out;
}
