/**
 * JSON over HTTP for the provider adapters: one place for the timeout, the classification of
 * failures (CONVENTIONS.md "Errors") and keeping API keys out of error messages.
 */
import type { z } from 'zod';
import { CarrierError, classifyHttpStatus, parseRetryAfter } from './carrier';
import { developmentFetch, OutboundRedirectError, OutboundRefusedError } from '../http/outbound';

export interface JsonHttpOptions {
  /** Shown in error messages, e.g. "AfterShip". */
  provider: string;
  baseUrl: string;
  /** Sent with every request (authentication lives here). */
  headers: Record<string, string>;
  /** Values never to show in an error message (API keys). */
  secrets?: string[];
  /** Per-call timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Pulls the provider's own error code and message out of an error body. */
  describeError?: (body: unknown) => { code?: string; message?: string } | undefined;
}

export interface JsonRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Non-2xx statuses the caller turns into a business answer (e.g. 404 = unknown number). */
  accept?: number[];
}

export interface JsonAnswer {
  status: number;
  body: unknown;
  headers: Headers;
}

export class JsonHttp {
  readonly provider: string;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: JsonHttpOptions) {
    this.provider = opts.provider;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchImpl = opts.fetch ?? developmentFetch;
  }

  /**
   * Sends one request. Resolves with 2xx answers (and the `accept`ed statuses); throws a
   * classified CarrierError for everything else.
   */
  async request(method: string, path: string, req: JsonRequest = {}): Promise<JsonAnswer> {
    const where = `${this.provider} ${method} ${path}`;
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, v);
    }
    const headers: Record<string, string> = { Accept: 'application/json', ...this.opts.headers };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // A redirect or a refused address stays so until the configuration changes.
      if (err instanceof OutboundRedirectError || err instanceof OutboundRefusedError) {
        throw this.error(`${where}: ${err.message}`, err.code, true);
      }
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw this.error(
        timedOut
          ? `${where} timed out after ${this.timeoutMs} ms`
          : `${where} unreachable: ${describeCause(err)}`,
        timedOut ? 'carrier.timeout' : 'carrier.unreachable',
        false,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.error(
        `${where} answer was cut off: ${describeCause(err)}`,
        'carrier.bad_response',
        false,
        res.status,
      );
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // A proxy's HTML error page on a 5xx is still a 5xx; on a 2xx it is a broken answer.
      if (res.ok) {
        throw this.error(
          `${where} sent an answer that is not JSON`,
          'carrier.bad_response',
          false,
          res.status,
        );
      }
    }
    const answer = { status: res.status, body, headers: res.headers };
    if (res.ok || req.accept?.includes(res.status)) return answer;
    throw this.failure(where, answer);
  }

  /** A 2xx answer whose body does not have the documented shape. */
  badShape(method: string, path: string, problem: string): CarrierError {
    return this.error(
      `${this.provider} ${method} ${path} answered in an unexpected shape: ${problem}`,
      'carrier.bad_response',
      false,
    );
  }

  /** A CarrierError whose message never carries a secret. */
  error(
    message: string,
    code: string,
    permanent: boolean,
    status?: number,
    retryAfterMs?: number,
  ): CarrierError {
    return new CarrierError(this.redact(message), code, permanent, status, retryAfterMs);
  }

  private failure(where: string, answer: JsonAnswer): CarrierError {
    const described = this.opts.describeError?.(answer.body);
    const detail = [described?.code, described?.message].filter(Boolean).join(': ');
    const suffix = detail ? ` (${detail})` : '';
    if (answer.status === 429) {
      return this.error(
        `${where} was rate limited${suffix}`,
        'carrier.rate_limited',
        false,
        429,
        parseRetryAfter(answer.headers.get('Retry-After')),
      );
    }
    if (classifyHttpStatus(answer.status).permanent) {
      const unauthorized = answer.status === 401 || answer.status === 403;
      return this.error(
        unauthorized
          ? `${where} refused our credentials (${answer.status})${suffix}: check the API key`
          : `${where} rejected the request (${answer.status})${suffix}`,
        unauthorized ? 'carrier.unauthorized' : 'carrier.rejected',
        true,
        answer.status,
      );
    }
    return this.error(
      `${where} failed with ${answer.status}${suffix}`,
      answer.status >= 500 ? 'carrier.server_error' : 'carrier.unavailable',
      false,
      answer.status,
      parseRetryAfter(answer.headers.get('Retry-After')),
    );
  }

  private redact(message: string): string {
    let out = message;
    for (const secret of this.opts.secrets ?? []) {
      if (secret) out = out.split(secret).join('***');
    }
    return out;
  }
}

function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}

/** Parses a documented response shape, or throws a transient bad-response CarrierError. */
export function parseShape<T extends z.ZodType>(
  http: JsonHttp,
  schema: T,
  body: unknown,
  method: string,
  path: string,
): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw http.badShape(
    method,
    path,
    parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '),
  );
}
