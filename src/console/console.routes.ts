import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';

/**
 * The ops console: one page and its own script and stylesheet, served from this folder (no CDN,
 * no build step). The page itself is public; every call its script makes to the API carries the
 * API key the reviewer typed in, so the access table still decides what they may do.
 */
const asset = (name: string): string =>
  readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');

/** Only our own script, styles and API; SVG charts are inlined from our own answers. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_PATHS = ['/console', '/console/console.js', '/console/console.css'] as const;

export function consoleRouter(): Router {
  const files = {
    html: asset('index.html'),
    js: asset('console.js'),
    css: asset('console.css'),
  };
  const send = (res: Response, type: string, body: string) => {
    res
      .type(type)
      .set('Content-Security-Policy', CONSOLE_CSP)
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', 'no-cache')
      .send(body);
  };
  const router = Router();
  router.get('/console', (_req, res) => send(res, 'html', files.html));
  router.get('/console/console.js', (_req, res) => send(res, 'text/javascript', files.js));
  router.get('/console/console.css', (_req, res) => send(res, 'text/css', files.css));
  return router;
}
