import { z } from 'zod';
import { pageQueryFields } from '../http/pagination';

export const reportListQuery = z.object(pageQueryFields);

export const reportParams = z.object({
  id: z.coerce
    .number({ error: 'must be a report id (a positive integer)' })
    .int('must be a report id (a positive integer)')
    .positive('must be a report id (a positive integer)')
    .max(2_147_483_647, 'must be a report id (a positive integer)'),
});
