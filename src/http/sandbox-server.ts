/**
 * The HTTP plumbing the sandbox servers (carrier, Shopify store, WooCommerce store) share: the
 * app's start (request log, loopback hosts only), its end (404 and error answers) and `listen`.
 * Each sandbox keeps its own routes, keys and error body format.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import { loopbackHostOnly } from './dev-server';

export type SandboxLog = (line: string) => void;

/** Writes an error in a sandbox's own body format. */
export type SandboxErrorWriter = (
  res: Response,
  status: number,
  code: string,
  message: string,
) => void;

/** Our sandboxes' error body: `{ error: { code, message, ...extra } }`. */
export function sendSandboxError(
  res: Response,
  status: number,
  code: string,
  message: string,
  extra?: object,
): void {
  res.status(status).json({ error: { code, message, ...extra } });
}

export interface SandboxAppOptions {
  /** Logs each request with its answer and time; no log when absent. */
  log?: SandboxLog;
  /** Log the path without its query string (one that may carry credentials). */
  logWithoutQuery?: boolean;
  /** Host names answered besides the loopback ones (e.g. a compose service name). */
  allowedHosts?: string[];
}

/**
 * An express app with the sandboxes' common start: no `X-Powered-By`, no etags, the request log,
 * then the loopback-host guard, before any key check: a page using DNS rebinding must not even
 * learn the sandbox is here.
 */
export function createSandboxApp(opts: SandboxAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (opts.log) {
    const log = opts.log;
    app.use((req, res, next) => {
      const started = Date.now();
      const where = opts.logWithoutQuery ? req.path : req.originalUrl;
      res.on('finish', () =>
        log(`${req.method} ${where} → ${res.statusCode} (${Date.now() - started} ms)`),
      );
      next();
    });
  }
  app.use(loopbackHostOnly(opts.allowedHosts));
  return app;
}

export interface SandboxFallbacks {
  /** Names the sandbox in the log line of an internal error. */
  name: string;
  log?: SandboxLog;
  /** Writes the error answers below in the sandbox's body format. */
  send: SandboxErrorWriter;
  /** The answer to a route the sandbox does not have; by default `route.not_found` via `send`. */
  notFound?: (req: Request, res: Response) => void;
}

/**
 * Ends the app's routes: a 404 for any other route, then the error handler. Express 5 passes it
 * body-parser failures (4xx: `request.invalid_json` for a body that is not JSON, else
 * `request.invalid`) and thrown errors (logged, then a bare 500 `internal`).
 */
export function finishSandboxApp(app: Express, fallbacks: SandboxFallbacks): void {
  const { send } = fallbacks;
  app.use(
    fallbacks.notFound ??
      ((req: Request, res: Response) => {
        send(res, 404, 'route.not_found', `No route ${req.method} ${req.path}.`);
      }),
  );
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = (err as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      const type = (err as { type?: string }).type;
      const code = type === 'entity.parse.failed' ? 'request.invalid_json' : 'request.invalid';
      return send(res, status, code, (err as Error).message);
    }
    fallbacks.log?.(`${fallbacks.name} internal error: ${(err as Error)?.stack ?? String(err)}`);
    send(res, 500, 'internal', 'Internal error.');
  });
}

export interface ListeningSandbox {
  url: string;
  close: () => Promise<void>;
}

/**
 * Listens on `host:port` (port 0: any free one) and gives the base URL. `close` runs `beforeClose`
 * (e.g. releasing held requests), then stops the server and cuts its open connections.
 */
export async function listenSandbox(
  app: Express,
  port: number,
  host = '127.0.0.1',
  beforeClose?: () => void,
): Promise<ListeningSandbox> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        beforeClose?.();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
