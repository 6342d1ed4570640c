import { z } from 'zod';
import { named } from '../http/route';
import { country } from '../shipments/shipments.schemas';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
export const currencyCode = z
  .string()
  .refine((c) => CURRENCIES.has(c), 'must be an ISO 4217 currency code in capitals, such as USD');
const code = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9._-]*$/, `${what} must be lower-case letters, digits, . _ -`);
/** A country, or `*` for any. */
const laneCountry = z.union([z.literal('*'), country]);
const fraction = z.number().min(0).max(1);

export const channelRule = z
  .object({
    name: z.string().min(1).max(100),
    when: z
      .object({
        originCountry: country.optional(),
        destinationCountry: country.optional(),
        minDeclaredValue: z.number().nonnegative().optional(),
        maxDeclaredValue: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
    maxServiceDays: z.number().int().positive().max(365).optional(),
    excludeCarriers: z.array(code('carrier')).max(100).optional(),
    costPerDay: z.number().nonnegative().max(10_000).optional(),
  })
  .strict();

/** The channel policy as PUT /v1/channel-policy takes it (the ChannelPolicy of channel-choice.ts). */
export const channelPolicyBody = named(
  'ChannelPolicy',
  z
    .object({
      maxLossRate: fraction.describe('A carrier losing more than this share on a lane is avoided'),
      minSample: z.number().int().min(1).max(1_000_000),
      insureAbove: z.number().nonnegative(),
      insuranceRatePer100: z.number().nonnegative().max(100),
      insuranceMinPremium: z.number().nonnegative(),
      maxDelayRate: fraction.optional(),
      rules: z.array(channelRule).max(200),
    })
    .strict(),
);

export const channelPolicyResponse = named(
  'StoredChannelPolicy',
  z.object({
    version: z.number().int().describe('0: the built-in default, never changed through the API'),
    updatedAt: z.string().nullable(),
    policy: channelPolicyBody,
  }),
);

export const rateRow = z
  .object({
    carrier: code('carrier'),
    service: code('service'),
    originCountry: laneCountry,
    destinationCountry: laneCountry,
    serviceDays: z
      .number({ error: 'must be a whole number of days' })
      .int('must be a whole number of days')
      .min(0, 'must be at least 0')
      .max(365, 'must be at most 365'),
    postage: z
      .number({ error: 'must be a number such as 12.50' })
      .nonnegative('must not be negative')
      .max(9_999_999_999.99),
    currency: currencyCode,
    insurable: z.boolean({ error: 'must be true or false' }).default(true),
  })
  .strict();
export type RateRowInput = z.output<typeof rateRow>;

export const MAX_RATE_ROWS = 5000;

export const rateCardBody = named(
  'RateCard',
  z
    .object({ rates: z.array(rateRow).min(1, 'must list at least one rate').max(MAX_RATE_ROWS) })
    .strict(),
);

export const rateCardResponse = named(
  'StoredRateCard',
  z.object({
    version: z.number().int().describe('0: the seeded table, never changed through the API'),
    updatedAt: z.string().nullable(),
    rates: z.array(rateRow),
  }),
);

export const rateImportResponse = named(
  'RateCardImport',
  z.object({
    version: z.number().int(),
    changed: z.boolean(),
    carriers: z.array(z.string()).describe('Carriers whose rows the file replaced'),
    rows: z.number().int().describe('Rows read from the file'),
    total: z.number().int().describe('Rows in the rate card after the import'),
  }),
);

export const settingVersionsQuery = z.object({
  after: z.coerce.number().int().min(0).max(2_147_483_647).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
