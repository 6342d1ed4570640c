import type { channelRates } from '../db/schema';

type RateSeed = typeof channelRates.$inferInsert;

/**
 * The demo rate table (seeded once into `channel_rates`; edit the table for real prices). `*`
 * matches any country; a more specific row for the same carrier and service wins. Services are
 * the sandbox carrier's (`economy`, `standard`, `express`).
 */
export const DEFAULT_CHANNEL_RATES: RateSeed[] = [
  // Domestic, from overseas warehouses.
  r('usps', 'standard', 'US', 'US', 4, 6.9),
  r('ups', 'standard', 'US', 'US', 3, 10.5),
  r('fedex', 'express', 'US', 'US', 1, 24),
  r('dhl', 'standard', 'DE', 'DE', 2, 4.99),
  r('dpd', 'standard', 'DE', 'DE', 2, 5.9),
  r('royal-mail', 'standard', 'GB', 'GB', 2, 4.2),
  r('dpd', 'standard', 'GB', 'GB', 1, 6.5),
  // Within Europe.
  r('dhl', 'standard', 'DE', '*', 4, 9.9),
  r('dpd', 'standard', 'DE', '*', 3, 11.5),
  r('royal-mail', 'standard', 'GB', '*', 5, 12.5),
  // From the origin warehouse in China.
  r('yanwen', 'economy', 'CN', '*', 15, 6.5, false),
  r('cainiao', 'standard', 'CN', '*', 10, 9.8),
  r('dhl', 'express', 'CN', '*', 4, 28),
  // Anywhere to anywhere.
  r('dhl', 'express', '*', '*', 4, 32),
  r('ups', 'express', '*', '*', 3, 36),
  r('fedex', 'standard', '*', '*', 7, 22),
];

function r(
  carrier: string,
  service: string,
  originCountry: string,
  destinationCountry: string,
  serviceDays: number,
  postage: number,
  insurable = true,
): RateSeed {
  return {
    carrier,
    service,
    originCountry,
    destinationCountry,
    serviceDays,
    postage,
    currency: 'USD',
    insurable,
  };
}
