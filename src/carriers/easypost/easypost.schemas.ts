/**
 * EasyPost API v2 shapes we read, as documented:
 * Tracker https://docs.easypost.com/docs/trackers, Shipment and Rate
 * https://docs.easypost.com/docs/shipments, Claim https://docs.easypost.com/docs/insurance/claims,
 * errors https://docs.easypost.com/docs/errors (`{ error: { code, message, errors } }`).
 */
import { z } from 'zod';

const text = z.string().nullish();
/** EasyPost sends money as strings ("12.34") on some objects and numbers on others. */
const money = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : Number(v)));

export const easyPostTracker = z.object({
  id: z.string(),
  object: z.literal('Tracker'),
  tracking_code: z.string().min(1),
  status: z.string().min(1),
  status_detail: text,
  signed_by: text,
  updated_at: text,
  est_delivery_date: text,
  carrier: text,
  tracking_details: z
    .array(
      z.object({
        message: text,
        description: text,
        status: z.string().min(1),
        status_detail: text,
        datetime: text,
        carrier_code: text,
        tracking_location: z
          .object({ city: text, state: text, country: text, zip: text })
          .nullish(),
      }),
    )
    .nullish(),
});
export type EasyPostTracker = z.output<typeof easyPostTracker>;

const rate = z.object({
  id: z.string(),
  carrier: z.string(),
  service: z.string(),
  rate: money,
  currency: z.string(),
});

export const easyPostShipment = z.object({
  id: z.string(),
  object: z.literal('Shipment'),
  tracking_code: text,
  rates: z.array(rate).nullish(),
  selected_rate: rate.nullish(),
  postage_label: z.object({ label_url: text }).nullish(),
});

export const easyPostClaim = z.object({
  id: z.string(),
  object: z.literal('Claim'),
  status: z.string().min(1),
  status_detail: text,
  tracking_code: text,
  requested_amount: money,
  approved_amount: money,
  created_at: text,
});
export type EasyPostClaim = z.output<typeof easyPostClaim>;

export const easyPostError = z.object({
  error: z.object({ code: z.string(), message: text }),
});
