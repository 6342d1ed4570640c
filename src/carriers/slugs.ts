/**
 * The carrier codes we accept: AfterShip courier slugs (the de-facto shared vocabulary of tracking
 * aggregators), plus `sandbox`. Source: AfterShip couriers list (GET /couriers/all).
 */
export const CARRIERS = {
  usps: 'USPS',
  ups: 'UPS',
  fedex: 'FedEx',
  dhl: 'DHL Express',
  'dhl-global-mail': 'DHL eCommerce',
  'china-post': 'China Post',
  'china-ems': 'China EMS (ePacket)',
  yanwen: 'Yanwen',
  yunexpress: 'YunExpress',
  '4px': '4PX',
  'sf-express': 'SF Express',
  cainiao: 'Cainiao',
  'royal-mail': 'Royal Mail',
  'canada-post': 'Canada Post',
  'australia-post': 'Australia Post',
  'deutsch-post': 'Deutsche Post',
  'la-poste-colissimo': 'La Poste (Colissimo)',
  'japan-post': 'Japan Post',
  'korea-post': 'Korea Post',
  'singapore-post': 'Singapore Post',
  'hong-kong-post': 'Hong Kong Post',
  dpd: 'DPD',
  gls: 'GLS',
  tnt: 'TNT',
  aramex: 'Aramex',
  sandbox: 'Sandbox carrier',
} as const satisfies Record<string, string>;

export type CarrierCode = keyof typeof CARRIERS;
export const CARRIER_CODES = Object.keys(CARRIERS) as CarrierCode[];

/** Is this a carrier code we accept (case-insensitive, like the registry)? */
export function isKnownCarrier(code: string): code is CarrierCode {
  return Object.prototype.hasOwnProperty.call(CARRIERS, code.toLowerCase());
}

/** The display name of a carrier code; the code itself when we do not know it. */
export function carrierName(code: string): string {
  const key = code.toLowerCase();
  return isKnownCarrier(key) ? CARRIERS[key] : code;
}
