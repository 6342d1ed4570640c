import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Response } from 'express';
import { z } from 'zod';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';

/**
 * The ops console: a Preact app (src/console/app) built by Vite into dist/console at install and
 * start (src/console/build.ts), served from here with no CDN. The page is public; every call its
 * script makes carries the API key the reviewer typed in, so each route's access still decides.
 */
const DIST = fileURLToPath(new URL('../../dist/console', import.meta.url));

/** Only our own script, styles and API. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** A built file's name as Vite writes it (name-hash.ext): no path, no dot files. */
const assetParams = z.object({
  file: z
    .string()
    .regex(/^[\w-]+(\.[\w-]+)*\.(js|css|svg|png|woff2|json)$/, 'must name a console asset'),
});

const notBuilt = () =>
  new ProblemError(
    503,
    'console.not_built',
    'Console not built',
    'The console has not been built: run `npm run console:build` (npm install and npm start do it).',
  );

async function builtFile(relative: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path.join(DIST, relative));
  } catch {
    return undefined;
  }
}

export function consoleRoutes(): RouteSpec[] {
  const send = (res: Response, type: string, body: Buffer, cache: string) => {
    res
      .type(type)
      .set('Content-Security-Policy', CONSOLE_CSP)
      .set('X-Content-Type-Options', 'nosniff')
      .set('Cache-Control', cache)
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
    responses: { '503': 'The console has not been built' },
    handler: async ({ res }) => {
      const html = await builtFile('index.html');
      if (!html) throw notBuilt();
      // The page names the current hashed assets: always revalidated.
      send(res, 'html', html, 'no-cache');
    },
  });
  const asset = route({
    method: 'get',
    path: '/console/assets/{file}',
    access: 'public',
    operationId: 'getConsoleAsset',
    tag: 'Operations',
    summary: 'A script, stylesheet or image of the ops console (content-hashed names)',
    params: assetParams,
    answer: { description: 'The file', contentType: 'application/octet-stream' },
    responses: { '404': 'No such asset' },
    handler: async ({ res, params: { file } }) => {
      const body = await builtFile(path.join('assets', file));
      if (!body) {
        throw new ProblemError(
          404,
          'console.asset_not_found',
          'Not found',
          `No console asset "${file}".`,
        );
      }
      // The name changes with the content: cached for good.
      send(res, TYPES[path.extname(file)]!, body, 'public, max-age=31536000, immutable');
    },
  });
  return [page, asset];
}
