import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { ProblemError } from './problems';

export const ROLES = ['ingest', 'ops', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  role: Role;
  key: string;
}

/** What a role may do. `admin` may do everything. */
export const PERMISSIONS = {
  /** Register shipments, push tracking events and customer inquiries. */
  ingest: ['ingest', 'admin'],
  /** Read shipments, reviews and policies. */
  read: ['ops', 'analyst', 'admin'],
  /** Decide reviews. */
  decide: ['ops', 'admin'],
  /** Create or change policies. */
  configure: ['admin'],
  /** Integration and carrier statistics (webhook deliveries). */
  analyze: ['analyst', 'admin'],
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

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

declare module 'express-serve-static-core' {
  interface Request {
    /** The role of the authenticated API key. */
    role?: Role;
  }
}

/**
 * Bearer authentication. Keys are compared as SHA-256 digests with timingSafeEqual (equal lengths,
 * constant time), and every configured key is compared so the position of a match leaks nothing.
 */
export function authenticate(apiKeys: ApiKey[]): RequestHandler {
  const known = apiKeys.map((k) => ({ role: k.role, digest: digest(k.key) }));
  const challenge = { 'WWW-Authenticate': 'Bearer realm="parcelwarden"' };
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      throw new ProblemError(
        401,
        'auth.missing_key',
        'API key required',
        'Send an API key as "Authorization: Bearer <key>".',
        { headers: challenge },
      );
    }
    const presented = digest(m[1]!);
    let role: Role | undefined;
    for (const k of known) {
      if (timingSafeEqual(presented, k.digest) && role === undefined) role = k.role;
    }
    if (!role) {
      throw new ProblemError(
        401,
        'auth.invalid_key',
        'Invalid API key',
        'The API key is not valid.',
        {
          headers: challenge,
        },
      );
    }
    req.role = role;
    next();
  };
}

export function hasPermission(req: Request, permission: Permission): boolean {
  return req.role !== undefined && (PERMISSIONS[permission] as readonly Role[]).includes(req.role);
}

export function requirePermission(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!hasPermission(req, permission)) {
      throw new ProblemError(
        403,
        'auth.forbidden',
        'Forbidden',
        `The role "${req.role ?? 'none'}" may not ${permission} here; allowed roles: ${PERMISSIONS[permission].join(', ')}.`,
      );
    }
    next();
  };
}
