import type { Request, RequestHandler } from 'express';
import { ProblemError } from './problems';

export const ROLES = ['ingest', 'ops', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  role: Role;
  key: string;
}

/** Who an API key belongs to: its id (api_keys.id) and role. */
export interface Principal {
  id: string;
  role: Role;
}

/** What authentication needs of a key store (the api-keys feature provides it). */
export interface KeyVerifier {
  /** The key's owner, or undefined; compares in constant time. */
  verify(key: string): Promise<Principal | undefined>;
}

/** What a role may do. `admin` may do everything. Each route names one (src/http/route.ts). */
export const PERMISSIONS = {
  /** Register shipments, push tracking events and customer inquiries. */
  ingest: ['ingest', 'admin'],
  /** Read reference data every integration needs (the carrier catalogue): every role. */
  reference: ['ingest', 'ops', 'analyst', 'admin'],
  /** Read shipments, reviews and policies. */
  read: ['ops', 'analyst', 'admin'],
  /** Decide reviews. */
  decide: ['ops', 'admin'],
  /** Create or change policies. */
  configure: ['admin'],
  /** Analytics, integration statistics (webhook deliveries) and metrics. */
  analyze: ['analyst', 'admin'],
  /** Create, list and revoke API keys. */
  administer: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/**
 * Parses `API_KEYS` (`role:key,role:key`). Keys themselves never appear in error messages.
 */
export function parseApiKeys(s: string): ApiKey[] {
  const entries = s
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const role = colon < 0 ? '' : entry.slice(0, colon).trim();
    const key = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (colon < 0 || !role || !key) {
      throw new Error(
        `API_KEYS entry ${i + 1} is not of the form role:key (roles: ${ROLES.join(', ')})`,
      );
    }
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new Error(
        `API_KEYS entry ${i + 1} has unknown role "${role}"; roles are ${ROLES.join(', ')}`,
      );
    }
    if (/\s/.test(key))
      throw new Error(`API_KEYS entry ${i + 1} (${role}) has whitespace in its key`);
    if (seen.has(key))
      throw new Error(`API_KEYS entry ${i + 1} (${role}) repeats a key given before`);
    seen.add(key);
    return { role: role as Role, key };
  });
}

declare module 'express-serve-static-core' {
  interface Request {
    /** The role of the authenticated API key. */
    role?: Role;
    /** The id of the authenticated API key (api_keys.id), for audit logs. */
    keyId?: string;
  }
}

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="parcelwarden"' };

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1] : undefined;
}

/** Bearer authentication against the key store (hashes compared in constant time there). */
export function authenticate(keys: KeyVerifier): RequestHandler {
  return async (req, _res, next) => {
    // Already authenticated by a route's own authenticator mounted before this one (the codec
    // session cookie of /codec/decode and /codec/encode, src/api/codec-session.ts).
    if (req.keyId !== undefined) {
      next();
      return;
    }
    const token = bearerToken(req.headers.authorization);
    if (!token) {
      throw new ProblemError(
        401,
        'auth.missing_key',
        'API key required',
        'Send an API key as "Authorization: Bearer <key>".',
        { headers: CHALLENGE },
      );
    }
    const principal = await keys.verify(token);
    if (!principal) {
      throw new ProblemError(
        401,
        'auth.invalid_key',
        'Invalid API key',
        'The API key is not valid.',
        {
          headers: CHALLENGE,
        },
      );
    }
    req.role = principal.role;
    req.keyId = principal.id;
    next();
  };
}

export function hasPermission(req: Request, permission: Permission): boolean {
  return req.role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(req.role);
}
