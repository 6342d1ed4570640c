import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { apiReference } from '@scalar/express-api-reference';
import { route, type RouteSpec } from '../http/route';

/**
 * `GET /openapi.json` and `GET /docs`: the document, and the API reference rendered from it in
 * the browser by Scalar (@scalar/api-reference). Its standalone bundle is served from our own
 * node_modules at `/docs/scalar.js`: the page loads nothing from elsewhere. All three are public:
 * they describe the API, they do not expose data.
 */
export type Doc = {
  info?: { title?: string; description?: string; version?: string };
  paths?: Record<string, Record<string, unknown>>;
};

/** The renderer's single-file (UMD) build: one script, no chunks fetched later. */
export const SCALAR_BUNDLE = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')),
  'browser',
  'standalone.js',
);

export const SCALAR_PATH = '/docs/scalar.js';

/**
 * The page's policy: our own script plus its inline start-up script (by nonce), the styles the
 * renderer injects, calls to our own API only ("Try it" and the document itself).
 */
export const docsCsp = (nonce: string) =>
  [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** Scalar's options: the document from our server, no web fonts, telemetry or AI agent. */
const SCALAR_CONFIG = {
  url: '/openapi.json',
  cdn: SCALAR_PATH,
  pageTitle: 'Parcelwarden API reference',
  favicon: '/favicon.ico',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  showDeveloperTools: 'never',
  hideClientButton: false,
  defaultHttpClient: { targetKey: 'shell', clientKey: 'curl' },
} as const;

/**
 * The document is built from the routes, these included, so it comes as a function, called
 * once on the first request (the list is complete by then).
 */
export function docsRoutes(document: () => Doc): RouteSpec[] {
  let doc: Doc | undefined;
  const built = () => (doc ??= document());
  const json = route({
    method: 'get',
    path: '/openapi.json',
    access: 'public',
    operationId: 'getOpenApiDocument',
    tag: 'Operations',
    summary: 'This document (OpenAPI 3.1)',
    answer: {
      description: 'OpenAPI 3.1',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    handler: () => built(),
  });

  const html = route({
    method: 'get',
    path: '/docs',
    access: 'public',
    operationId: 'getDocsPage',
    tag: 'Operations',
    summary: 'The API reference (Scalar), rendered in the browser from this document',
    answer: { description: 'HTML page', contentType: 'text/html' },
    handler: ({ req, res }) => {
      // A fresh nonce per answer: only the page's own start-up script runs inline.
      const nonce = randomBytes(16).toString('base64');
      res.set('Content-Security-Policy', docsCsp(nonce)).set('Cache-Control', 'no-cache');
      const render = apiReference({ ...SCALAR_CONFIG, nonce } as Parameters<
        typeof apiReference
      >[0]);
      // It only sends the page: it never calls `next`.
      void render(req as never, res, () => undefined);
    },
  });

  const bundle = route({
    method: 'get',
    path: SCALAR_PATH,
    access: 'public',
    operationId: 'getDocsRenderer',
    tag: 'Operations',
    summary: 'The script that renders /docs (Scalar’s standalone bundle, served from here)',
    answer: {
      description: 'JavaScript',
      contentType: 'text/javascript',
      bodySchema: { type: 'string' },
    },
    handler: ({ res }) =>
      new Promise<void>((resolve, reject) => {
        res.sendFile(
          SCALAR_BUNDLE,
          { maxAge: '1d', headers: { 'Content-Type': 'text/javascript' } },
          (err) => (err ? reject(err) : resolve()),
        );
      }),
  });

  return [json, html, bundle];
}
