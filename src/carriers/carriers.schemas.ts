import { z } from 'zod';
import { named } from '../http/route';

/** GET /v1/carriers: the catalogue as clients read it. */
export const carrierListResponse = named(
  'CarrierList',
  z.object({
    items: z.array(
      z.object({
        code: z.string().describe('Our code: what a registration sends as `carrier`'),
        name: z.string().describe('Display name, as customers and ops read it'),
        aftership: z.string().optional().describe('AfterShip courier slug'),
        easypost: z.string().optional().describe('EasyPost carrier name, where EasyPost has it'),
        track17: z
          .number()
          .int()
          .optional()
          .describe("17TRACK's numeric carrier key, where known (else 17TRACK detects it)"),
        aliases: z
          .array(z.string())
          .describe('Other names of the carrier, such as shops use for it'),
      }),
    ),
  }),
);
