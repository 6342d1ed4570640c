/**
 * `npm run secrets`: new random values for every secret production mode asks for, as lines for an
 * env file (docs/security.md, Production mode). Prints them once; nothing is stored.
 */
import { randomBytes } from 'node:crypto';
import { generateKey } from '../api-keys/api-keys.repository';
import { ROLES } from '../http/auth';
import { generatePayloadKey } from '../temporal/payload-codec';

const secret = () => randomBytes(32).toString('base64');

export function productionSecrets(): string {
  return [
    '# Parcelwarden production secrets (npm run secrets). Keep them out of the repository and the logs.',
    'NODE_ENV=production',
    `API_KEYS=${ROLES.map((role) => `${role}:${generateKey()}`).join(',')}`,
    `API_KEY_SECRET=${secret()}`,
    `SURVEY_SECRET=${secret()}`,
    `METRICS_TOKEN=${secret()}`,
    `PAYLOAD_KEY=${generatePayloadKey('k1')}`,
    '# Only when a provider is the sandbox carrier (it signs its webhooks with the first):',
    `SANDBOX_WEBHOOK_SECRET=${secret()}`,
    `SANDBOX_CARRIER_KEY=${secret()}`,
    '# Only with ONSITE_MESSAGE_URL:',
    `ONSITE_MESSAGE_SECRET=${secret()}`,
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('secrets.ts')) process.stdout.write(productionSecrets());
