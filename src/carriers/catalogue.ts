/**
 * The carriers we know, in one place: our code, the name customers and ops read, each provider's
 * code for the carrier, and the other names shops and marketplaces give it. Registration checks
 * codes against it, mails and the console show its names, and the provider adapters translate
 * codes through it in both directions.
 *
 * Our code is the carrier's AfterShip courier slug (the de-facto shared vocabulary of tracking
 * aggregators; AfterShip couriers list, GET /couriers/all), plus `sandbox`, the development
 * carrier, which no provider knows.
 */
import { distance } from 'fastest-levenshtein';

export interface CatalogueCarrier {
  /** Our code: the AfterShip courier slug (`sandbox` for the development carrier). */
  code: string;
  /** The name customers and ops read. */
  name: string;
  /** AfterShip's courier slug; absent for the sandbox. */
  aftership?: string;
  /** EasyPost's carrier name, where EasyPost supports the carrier. */
  easypost?: string;
  /** 17TRACK's numeric carrier key, where we know it; else 17TRACK detects the carrier. */
  track17?: number;
  /** Other names of the carrier: shops' `tracking_company` names, short and long forms. */
  aliases: readonly string[];
}

/*
 * Provider codes, and where each comes from:
 * - EasyPost carrier names: https://docs.easypost.com/carriers (the names trackers and shipments take).
 * - 17TRACK keys: 17TRACK's carrier list (https://res.17track.net/asset/carrier/info/apicarrier.all.json).
 *   usps 21051, ups 100002, fedex 100003, dhl 100001 and china-post 3011 as this project has used
 *   them since the 17TRACK adapter (UPS 100002 also in 17TRACK's push sample,
 *   test/fixtures/carriers/t01-push-ups-delivered-doc-sample.json); yanwen 190012 as the aio17track
 *   client's carrier-list tests read it. Carriers without a key are left to 17TRACK's detection.
 */
const ENTRIES = [
  {
    code: 'usps',
    name: 'USPS',
    easypost: 'USPS',
    track17: 21051,
    aliases: ['United States Postal Service', 'US Postal Service'],
  },
  {
    code: 'ups',
    name: 'UPS',
    easypost: 'UPS',
    track17: 100002,
    aliases: ['United Parcel Service'],
  },
  {
    code: 'fedex',
    name: 'FedEx',
    easypost: 'FedEx',
    track17: 100003,
    aliases: ['Federal Express'],
  },
  {
    code: 'dhl',
    name: 'DHL Express',
    easypost: 'DHLExpress',
    track17: 100001,
    aliases: ['DHL'],
  },
  {
    code: 'dhl-global-mail',
    name: 'DHL eCommerce',
    aliases: ['DHL eCommerce Solutions', 'DHL Global Mail'],
  },
  { code: 'china-post', name: 'China Post', track17: 3011, aliases: ['Chinapost'] },
  { code: 'china-ems', name: 'China EMS (ePacket)', aliases: ['China EMS', 'ePacket'] },
  { code: 'yanwen', name: 'Yanwen', track17: 190012, aliases: ['Yanwen Logistics'] },
  { code: 'yunexpress', name: 'YunExpress', aliases: ['Yun Express'] },
  { code: '4px', name: '4PX', aliases: ['4PX Express'] },
  { code: 'sf-express', name: 'SF Express', aliases: ['SF'] },
  { code: 'cainiao', name: 'Cainiao', aliases: ['Cainiao Global'] },
  { code: 'royal-mail', name: 'Royal Mail', easypost: 'RoyalMail', aliases: [] },
  { code: 'canada-post', name: 'Canada Post', easypost: 'CanadaPost', aliases: [] },
  {
    code: 'australia-post',
    name: 'Australia Post',
    easypost: 'AustraliaPost',
    aliases: ['AusPost'],
  },
  // AfterShip spells this slug without the "e".
  { code: 'deutsch-post', name: 'Deutsche Post', aliases: [] },
  { code: 'la-poste-colissimo', name: 'La Poste (Colissimo)', aliases: ['Colissimo', 'La Poste'] },
  { code: 'japan-post', name: 'Japan Post', aliases: ['Japan Post (EN)', 'Japan Post (JA)'] },
  { code: 'korea-post', name: 'Korea Post', aliases: [] },
  { code: 'singapore-post', name: 'Singapore Post', aliases: ['SingPost'] },
  { code: 'hong-kong-post', name: 'Hong Kong Post', aliases: ['Hongkong Post'] },
  { code: 'dpd', name: 'DPD', aliases: [] },
  { code: 'gls', name: 'GLS', aliases: [] },
  { code: 'tnt', name: 'TNT', aliases: [] },
  { code: 'aramex', name: 'Aramex', aliases: [] },
] as const satisfies readonly Omit<CatalogueCarrier, 'aftership'>[];

const SANDBOX = {
  code: 'sandbox',
  name: 'Sandbox carrier',
  aliases: [],
} as const satisfies CatalogueCarrier;

export type CarrierCode = (typeof ENTRIES)[number]['code'] | typeof SANDBOX.code;

type CatalogueEntry = CatalogueCarrier & { code: CarrierCode };

/** Every carrier we know, in the order we list them; the sandbox last. */
export const CARRIER_CATALOGUE: readonly CatalogueEntry[] = [
  ...ENTRIES.map((e) => ({ ...e, aftership: e.code })),
  SANDBOX,
];
export const CARRIER_CODES: readonly CarrierCode[] = CARRIER_CATALOGUE.map((c) => c.code);

/** A name or code as compared: lower case, letters and digits only ("Royal Mail" → royalmail). */
export function normaliseCarrierName(s: string): string {
  return s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/**
 * One lookup table from `key(carrier)` values to carriers; two carriers under one key would make
 * a translation ambiguous, so building it refuses that.
 */
export function indexCatalogue<C extends CatalogueCarrier, K>(
  carriers: readonly C[],
  keys: (c: C) => readonly (K | undefined)[],
): ReadonlyMap<K, C> {
  const index = new Map<K, C>();
  for (const carrier of carriers) {
    for (const key of new Set(keys(carrier))) {
      if (key === undefined) continue;
      const other = index.get(key);
      if (other && other !== carrier)
        throw new Error(
          `Carrier key "${String(key)}" names both ${other.code} and ${carrier.code}`,
        );
      index.set(key, carrier);
    }
  }
  return index;
}

const lower = (s: string | undefined) => s?.toLowerCase();
const byCode = indexCatalogue<CatalogueEntry, string>(CARRIER_CATALOGUE, (c) => [c.code]);
const byTrack17 = indexCatalogue(CARRIER_CATALOGUE, (c) => [c.track17]);
const byEasyPost = indexCatalogue(CARRIER_CATALOGUE, (c) => [lower(c.easypost)]);
const byAfterShip = indexCatalogue(CARRIER_CATALOGUE, (c) => [lower(c.aftership)]);
/** Every name a carrier goes by, normalised: code, display name, aliases and provider names. */
const namesOf = (c: CatalogueCarrier) =>
  [c.code, c.name, c.easypost, ...c.aliases].flatMap((n) => (n ? [normaliseCarrierName(n)] : []));
const byName = indexCatalogue(CARRIER_CATALOGUE, namesOf);

/** The catalogue entry of one of our codes (case-insensitive). */
export function catalogueCarrier(code: string): CatalogueEntry | undefined {
  return byCode.get(code.toLowerCase());
}

/** Is this one of our carrier codes (case-insensitive, like the registry)? */
export function isKnownCarrier(code: string): boolean {
  return catalogueCarrier(code) !== undefined;
}

/** Our code as written in the catalogue (`DHL` → `dhl`); undefined for a code we do not know. */
export function carrierCode(code: string): CarrierCode | undefined {
  return catalogueCarrier(code)?.code;
}

/** The display name of a carrier code; the code itself when we do not know it. */
export function carrierName(code: string): string {
  return catalogueCarrier(code)?.name ?? code;
}

/**
 * Our code for any name a carrier goes by: our code, its display name, an alias (a shop's
 * `tracking_company` such as "DHL Express"), or a provider's name for it; case, spaces and
 * punctuation do not matter.
 */
export function carrierFromName(name: string): CarrierCode | undefined {
  return byName.get(normaliseCarrierName(name))?.code;
}

/* Provider codes, both ways. */

/** 17TRACK's numeric key for one of our codes, when we know it. */
export function toTrack17Key(code: string): number | undefined {
  return catalogueCarrier(code)?.track17;
}

/** Our code for a 17TRACK numeric key (100002 → ups). */
export function fromTrack17Key(key: number): CarrierCode | undefined {
  return byTrack17.get(key)?.code;
}

/** EasyPost's carrier name for one of our codes, where EasyPost supports the carrier. */
export function toEasyPostCarrier(code: string): string | undefined {
  return catalogueCarrier(code)?.easypost;
}

/** Our code for an EasyPost carrier name, whatever its case (DHLExpress → dhl). */
export function fromEasyPostCarrier(name: string): CarrierCode | undefined {
  return byEasyPost.get(name.toLowerCase())?.code;
}

/** AfterShip's courier slug for one of our codes. */
export function toAfterShipSlug(code: string): string | undefined {
  return catalogueCarrier(code)?.aftership;
}

/** Our code for an AfterShip courier slug, whatever its case. */
export function fromAfterShipSlug(slug: string): CarrierCode | undefined {
  return byAfterShip.get(slug.toLowerCase())?.code;
}

/* Suggestions for a code we do not know. */

/** How far a typo may be from a name and still be suggested: about one edit in three letters. */
const tolerance = (length: number) => Math.min(3, Math.max(1, Math.round(length / 3)));

/**
 * The codes someone most likely meant by an unknown carrier: a carrier whose name or alias it is
 * first, then the codes and names closest by edit distance ("yanwn" → yanwen), at most `max`.
 */
export function suggestCarriers(input: string, max = 3): CarrierCode[] {
  const wanted = normaliseCarrierName(input);
  if (!wanted) return [];
  const named = byName.get(wanted);
  if (named) return [named.code];
  const limit = tolerance(wanted.length);
  return CARRIER_CATALOGUE.map((c) => ({
    code: c.code,
    d: Math.min(...namesOf(c).map((n) => distance(wanted, n))),
  }))
    .filter((s) => s.d <= limit)
    .sort((a, b) => a.d - b.d || a.code.localeCompare(b.code))
    .slice(0, max)
    .map((s) => s.code);
}
