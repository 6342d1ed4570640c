/**
 * What every answer of the API carries (security headers, via helmet) and the per-IP limit in
 * front of traffic that shows no API key (via express-rate-limit). Both are mounted first in
 * createApp, so they also cover 404s, problems and the public pages.
 */
import type { RequestHandler } from 'express';
import { rateLimit, type AugmentedRequest } from 'express-rate-limit';
import helmet from 'helmet';
import { ProblemError } from './problems';

/**
 * Strict defaults for an API: nothing may be loaded, framed or submitted from an answer. Pages
 * that need more (the console, /docs, the survey page) set their own Content-Security-Policy
 * on their route, which replaces this one.
 */
export const API_CSP = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    // Survey links carry their token in the URL: never hand it on as a referrer.
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    // Only effective over HTTPS (browsers ignore it on plain HTTP); not for the seller's subdomains.
    strictTransportSecurity: { maxAge: 180 * 24 * 60 * 60, includeSubDomains: false },
  });
}

/** Probes of load balancers and orchestrators: frequent, keyless and harmless. */
const PROBES = new Set(['/healthz', '/readyz']);

/** Health probes are never limited: an orchestrator polls them from one address. */
export const isProbe = (path: string) => PROBES.has(path);

export interface UnauthenticatedLimitOptions {
  /** Requests per minute per client IP without an accepted key; 0 or undefined turns it off. */
  perMinute?: number;
}

/**
 * Counts, per client IP, every request that does not end authenticated by an API key or codec
 * session: wrong or missing keys (401), the survey page, provider webhooks, inbound mail, docs
 * and console assets. Requests with a valid key are not counted (they have the per-key limit);
 * they are only refused while their IP is over the limit. Over it: 429 problem+json with
 * Retry-After.
 */
export function unauthenticatedLimit(opts: UnauthenticatedLimitOptions): RequestHandler {
  const perMinute = opts.perMinute ?? 0;
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (req) => isProbe(req.path),
    // The role is set by authentication later in the chain; read when the answer is finished.
    skipSuccessfulRequests: true,
    requestWasSuccessful: (req) => req.role !== undefined,
    // `trust proxy` is off on purpose (the client address is the socket's); a forwarded header
    // from a client is not a misconfiguration to warn about.
    validate: { xForwardedForHeader: false, trustProxy: false },
    handler: (req, _res, next) => {
      const resetTime = (req as AugmentedRequest).rateLimit?.resetTime;
      const retryAfter = resetTime
        ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
        : 60;
      next(
        new ProblemError(
          429,
          'rate_limit.unauthenticated',
          'Too many requests',
          `This address may make ${perMinute} requests per minute without an accepted API key (public pages, webhooks, failed authentication); retry in ${retryAfter} s.`,
          { headers: { 'Retry-After': String(retryAfter) } },
        ),
      );
    },
  });
}
