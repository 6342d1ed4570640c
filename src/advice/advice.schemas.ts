import { z } from 'zod';
import { named } from '../http/route';
import { currencyCode } from '../channels/channels.schemas';
import { country } from '../shipments/shipments.schemas';
import { CATEGORIES, packagingRules } from './packaging';

const carrierCode = z.string().trim().min(1).max(64);

export const adviceItem = z
  .object({
    category: z.enum(CATEGORIES).describe(`One of ${CATEGORIES.join(', ')}`),
    value: z.number().nonnegative().finite().describe('Value of the line (all units)'),
    quantity: z.number().int().positive().optional(),
    description: z.string().max(200).optional(),
    hasBattery: z.boolean().optional().describe('The item is or contains a battery'),
  })
  .strict();

export const adviceBody = named(
  'AdviceRequest',
  z
    .object({
      origin: z.object({ country }).strict(),
      destination: z.object({ country }).strict(),
      items: z.array(adviceItem).min(1, 'must list at least one item').max(500),
      currency: currencyCode,
      declaredValue: z
        .number()
        .nonnegative()
        .finite()
        .optional()
        .describe('Default: the sum of the items’ values'),
      carrier: carrierCode.optional().describe('The carrier the seller means to use'),
      service: carrierCode.optional(),
      channels: z
        .array(z.object({ carrier: carrierCode, service: carrierCode.optional() }).strict())
        .max(50)
        .optional()
        .describe('Candidate channels to choose among (default: every channel of the lane)'),
      seller: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/)
        .optional()
        .describe('Whose packaging rules apply (default: the shared ones)'),
    })
    .strict(),
);

const channelOption = z.object({
  carrier: z.string(),
  service: z.string(),
  serviceDays: z.number(),
  postage: z.number(),
  currency: z.string(),
  lossRate: z.number().optional(),
  sample: z.number(),
  score: z.number().optional(),
  excluded: z.string().optional(),
});

export const adviceResponse = named(
  'Advice',
  z.object({
    lane: z.object({ origin: z.string(), destination: z.string() }),
    channel: z.object({
      carrier: z.string(),
      service: z.string(),
      serviceDays: z.number().optional(),
      estimatedPostage: z.number().optional(),
      reason: z.string(),
      alternatives: z.array(channelOption),
      rules: z.array(z.string()),
    }),
    insurance: z.object({
      recommended: z.boolean(),
      premium: z.number(),
      currency: z.string(),
      threshold: z.number(),
      ratePer100: z.number(),
      reason: z.string(),
    }),
    warnings: z.array(
      z.object({
        scope: z.enum(['lane', 'carrier']),
        carrier: z.string().optional(),
        origin: z.string(),
        destination: z.string(),
        measure: z.enum(['loss', 'delay']),
        rate: z.number(),
        threshold: z.number(),
        sample: z.number(),
        count: z.number(),
        message: z.string(),
      }),
    ),
    packaging: z.array(
      z.object({
        rule: z.string(),
        advice: z.string(),
        source: z.object({ name: z.string(), url: z.string() }),
        items: z.array(z.number()),
      }),
    ),
    basis: z.object({
      channelPolicyVersion: z.number(),
      rateCardVersion: z.number(),
      packagingRulesVersion: z.number(),
      packagingRulesSeller: z.string(),
      figuresAt: z.string(),
    }),
    followedChannel: z.boolean().optional(),
  }),
);

export const sellerParams = z.object({
  seller: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 letters, digits, . _ : -'),
});

export const packagingRulesBody = named(
  'PackagingRules',
  z.object({ rules: packagingRules }).strict(),
);

export const packagingRulesResponse = named(
  'StoredPackagingRules',
  z.object({
    seller: z.string(),
    version: z.number().int().describe('0: the built-in defaults'),
    updatedAt: z.string().nullable(),
    inheritedFrom: z.string().optional().describe('Set when the seller has no rules of its own'),
    rules: packagingRules,
  }),
);
