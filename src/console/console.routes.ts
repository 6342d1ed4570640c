import { readFileSync } from 'node:fs';
import type { Response } from 'express';
import { route, type RouteSpec } from '../http/route';

/**
 * The ops console: one page and its own script and stylesheet, served from this folder (no CDN,
 * no build step). The page itself is public; every call its script makes to the API carries the
 * API key the reviewer typed in, so each route's access still decides what they may do.
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

export function consoleRoutes(): RouteSpec[] {
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
  const page = route({
    method: 'get',
    path: '/console',
    access: 'public',
    operationId: 'getConsole',
    tag: 'Operations',
    summary: 'The ops console (HTML, no external assets); log in there with an ops or admin key',
    answer: { description: 'HTML page', contentType: 'text/html' },
    handler: ({ res }) => send(res, 'html', files.html),
  });
  const script = route({
    method: 'get',
    path: '/console/console.js',
    access: 'public',
    operationId: 'getConsoleScript',
    tag: 'Operations',
    summary: 'The ops console’s script',
    answer: { description: 'JavaScript module', contentType: 'text/javascript' },
    handler: ({ res }) => send(res, 'text/javascript', files.js),
  });
  const stylesheet = route({
    method: 'get',
    path: '/console/console.css',
    access: 'public',
    operationId: 'getConsoleStylesheet',
    tag: 'Operations',
    summary: 'The ops console’s stylesheet',
    answer: { description: 'CSS', contentType: 'text/css' },
    handler: ({ res }) => send(res, 'text/css', files.css),
  });
  return [page, script, stylesheet];
}
