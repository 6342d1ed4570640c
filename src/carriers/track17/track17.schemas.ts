/**
 * 17TRACK Tracking API v2.2 shapes we send and read, as documented at
 * https://api.17track.net/en/doc?version=v2.2 (register, gettrackinfo). Every answer is
 * `{ code, data: { accepted: [...], rejected: [{ number, error: { code, message } }] } }`.
 */
import { z } from 'zod';

const text = z.string().nullish();

export const track17Event = z.object({
  time_iso: text,
  time_utc: text,
  description: text,
  location: text,
  stage: text,
  sub_status: text,
  address: z.object({ country: text, state: text, city: text, postal_code: text }).nullish(),
});

export type Track17Event = z.output<typeof track17Event>;

export const track17TrackInfo = z.object({
  latest_status: z.object({ status: text, sub_status: text, sub_status_descr: text }).nullish(),
  time_metrics: z
    .object({ estimated_delivery_date: z.object({ from: text, to: text }).nullish() })
    .nullish(),
  tracking: z
    .object({
      providers: z
        .array(
          z.object({
            provider: z.object({ key: z.number().nullish(), name: text }).nullish(),
            events: z.array(track17Event).nullish(),
          }),
        )
        .nullish(),
    })
    .nullish(),
});
export type Track17TrackInfo = z.output<typeof track17TrackInfo>;

const rejected = z.object({
  number: z.string(),
  error: z.object({ code: z.number(), message: text }),
});

export const track17Answer = <T extends z.ZodType>(accepted: T) =>
  z.object({
    code: z.number(),
    data: z.object({
      accepted: z.array(accepted).nullish(),
      rejected: z.array(rejected).nullish(),
      errors: z.array(z.object({ code: z.number(), message: text })).nullish(),
    }),
  });

export const track17TrackAccepted = z.object({
  number: z.string(),
  carrier: z.number().nullish(),
  track_info: track17TrackInfo.nullish(),
});

export const track17RegisterAccepted = z.object({
  number: z.string(),
  carrier: z.number().nullish(),
});

/** Documented error codes we act on. */
export const TRACK17_ERRORS = {
  notRegistered: -18019902,
} as const;
