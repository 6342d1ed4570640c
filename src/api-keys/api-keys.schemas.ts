import { z } from 'zod';
import { timestamp } from '../../workflows/model/scalars';
import { ROLES } from '../http/auth';
import { page } from '../http/pagination';
import { named } from '../http/route';

/** An API key as the admin routes show it: never the key itself, never its hash. */
const apiKeyFields = {
  id: z.string(),
  role: z.enum(ROLES),
  name: z.string(),
  source: z.enum(['env', 'api']),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
};
export const apiKeyResponse = named('ApiKey', z.object(apiKeyFields));
export const apiKeyListResponse = named('ApiKeyPage', page(apiKeyResponse));
export const apiKeyCreatedResponse = named(
  'ApiKeyCreated',
  z.object({
    ...apiKeyFields,
    key: z.string().describe('The secret, shown this once'),
  }),
);
