/**
 * Carrier adapter for the sandbox carrier's HTTP API. Business outcomes come back as data
 * (an unknown tracking number is `known: false`); failures are classified CarrierErrors.
 */
import { developmentFetch, OutboundRedirectError, OutboundRefusedError } from '../../http/outbound';
import { z } from 'zod';
import { TRACKING_STATUSES } from '../../../workflows/model/enums';
import { proofOfDelivery, trackingEvent } from '../../../workflows/model/tracking';
import {
  CarrierError,
  classifyHttpStatus,
  parseRetryAfter,
  type Carrier,
  type ClaimFiled,
  type ClaimRequest,
  type ClaimSubmissionRequest,
  type Label,
  type LabelRequest,
  type TraceOpened,
  type TraceRequest,
  type TrackResult,
} from '../carrier';

export interface SandboxCarrierClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Per-call timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const trackingSchema = z.object({
  trackingNumber: z.string(),
  status: z.string(),
  // A lookup gives its estimate once, as `estimatedDeliveryAt`; per-scan estimates are not read.
  events: z.array(
    trackingEvent
      .omit({ expectedDeliveryAt: true })
      .safeExtend({ status: z.enum(TRACKING_STATUSES).catch('unknown') }),
  ),
  estimatedDeliveryAt: z.string().optional(),
  proofOfDelivery: proofOfDelivery.optional(),
});

const labelSchema = z.object({
  labelId: z.string(),
  carrier: z.string(),
  trackingNumber: z.string(),
  service: z.string(),
  postage: z.number(),
  currency: z.string(),
  labelUrl: z.string().optional(),
  expectedDeliveryAt: z.string().optional(),
});

const claimSchema = z.object({
  claimId: z.string(),
  status: z.string(),
  amount: z.number(),
  currency: z.string(),
  amountApproved: z.number().optional(),
  filedAt: z.string(),
  detail: z.string().optional(),
  respondBy: z.string().optional(),
});

const traceSchema = z.object({
  traceId: z.string(),
  status: z.enum(['open', 'found', 'not_found', 'closed']),
  openedAt: z.string(),
  answerDueAt: z.string().optional(),
});

const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string().optional() }),
});

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

export class SandboxCarrierClient implements Carrier {
  readonly code = 'sandbox';
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: SandboxCarrierClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.apiKey = opts.apiKey;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.fetchImpl = opts.fetch ?? developmentFetch;
  }

  async track(trackingNumber: string): Promise<TrackResult> {
    const path = `/v1/trackings/${encodeURIComponent(trackingNumber)}`;
    const answer = await this.call('GET', path);
    // Only the carrier's own "unknown number" is a business answer; any other 404 is a fault.
    if (answer.status === 404 && errorCode(answer.body) === 'tracking.not_found') {
      return { known: false, events: [] };
    }
    const body = this.parse(trackingSchema, this.ok(answer, 'GET', path), 'GET', path);
    return {
      known: true,
      events: body.events,
      ...(body.estimatedDeliveryAt ? { estimatedDeliveryAt: body.estimatedDeliveryAt } : {}),
      ...(body.proofOfDelivery ? { proofOfDelivery: body.proofOfDelivery } : {}),
    };
  }

  async openTrace(req: TraceRequest): Promise<TraceOpened> {
    const { idempotencyKey, ...body } = req;
    const answer = await this.call('POST', '/v1/traces', body, idempotencyKey);
    return this.parse(traceSchema, this.ok(answer, 'POST', '/v1/traces'), 'POST', '/v1/traces');
  }

  async bookLabel(req: LabelRequest): Promise<Label> {
    const { idempotencyKey, ...body } = req;
    const answer = await this.call('POST', '/v1/labels', body, idempotencyKey);
    return this.parse(labelSchema, this.ok(answer, 'POST', '/v1/labels'), 'POST', '/v1/labels');
  }

  async fileClaim(req: ClaimRequest): Promise<ClaimFiled> {
    const { idempotencyKey, ...body } = req;
    const answer = await this.call('POST', '/v1/claims', body, idempotencyKey);
    return this.parse(claimSchema, this.ok(answer, 'POST', '/v1/claims'), 'POST', '/v1/claims');
  }

  answerClaim(claimId: string, req: ClaimSubmissionRequest): Promise<ClaimFiled> {
    return this.submit(claimId, 'answers', req);
  }

  appealClaim(claimId: string, req: ClaimSubmissionRequest): Promise<ClaimFiled> {
    return this.submit(claimId, 'appeals', req);
  }

  private async submit(
    claimId: string,
    kind: 'answers' | 'appeals',
    req: ClaimSubmissionRequest,
  ): Promise<ClaimFiled> {
    const { idempotencyKey, ...body } = req;
    const path = `/v1/claims/${encodeURIComponent(claimId)}/${kind}`;
    const answer = await this.call('POST', path, body, idempotencyKey);
    return this.parse(claimSchema, this.ok(answer, 'POST', path), 'POST', path);
  }

  async claimStatus(claimId: string): Promise<ClaimFiled> {
    const path = `/v1/claims/${encodeURIComponent(claimId)}`;
    const answer = await this.call('GET', path);
    return this.parse(claimSchema, this.ok(answer, 'GET', path), 'GET', path);
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.apiKey}`,
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    let res: globalThis.Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      // A redirect or a refused address stays so until the configuration changes.
      if (err instanceof OutboundRedirectError || err instanceof OutboundRefusedError) {
        throw new CarrierError(`Sandbox carrier ${method} ${path}: ${err.message}`, err.code, true);
      }
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new CarrierError(
        timedOut
          ? `Sandbox carrier ${method} ${path} timed out after ${this.timeoutMs} ms`
          : `Sandbox carrier ${method} ${path} unreachable: ${describe(err)}`,
        timedOut ? 'carrier.timeout' : 'carrier.unreachable',
        false,
      );
    }
    let parsed: unknown;
    try {
      const text = await res.text();
      parsed = text ? JSON.parse(text) : undefined;
    } catch (err) {
      // A cut-off or non-JSON answer (a proxy's error page) is not a carrier verdict.
      if (res.ok) {
        throw new CarrierError(
          `Sandbox carrier ${method} ${path} sent an unreadable answer: ${describe(err)}`,
          'carrier.bad_response',
          false,
          res.status,
        );
      }
      parsed = undefined;
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Returns the body of a 2xx answer; throws a classified CarrierError for anything else. */
  private ok(answer: Answer, method: string, path: string): unknown {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const { permanent } = classifyHttpStatus(answer.status);
    const carrierCode = errorCode(answer.body);
    const detail = errorMessage(answer.body);
    const where = `Sandbox carrier ${method} ${path}`;
    if (answer.status === 429) {
      throw new CarrierError(
        `${where} was rate limited`,
        'carrier.rate_limited',
        false,
        429,
        parseRetryAfter(answer.headers.get('Retry-After')),
      );
    }
    if (permanent) {
      throw new CarrierError(
        `${where} rejected the request (${answer.status}${carrierCode ? ` ${carrierCode}` : ''})${detail ? `: ${detail}` : ''}`,
        carrierCode ?? 'carrier.rejected',
        true,
        answer.status,
      );
    }
    throw new CarrierError(
      `${where} failed with ${answer.status}${detail ? `: ${detail}` : ''}`,
      answer.status >= 500 ? 'carrier.server_error' : (carrierCode ?? 'carrier.unavailable'),
      false,
      answer.status,
    );
  }

  private parse<T extends z.ZodType>(
    schema: T,
    body: unknown,
    method: string,
    path: string,
  ): z.output<T> {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    throw new CarrierError(
      `Sandbox carrier ${method} ${path} answered in an unexpected shape: ${parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
      'carrier.bad_response',
      false,
    );
  }
}

function errorCode(body: unknown): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error.code : undefined;
}

function errorMessage(body: unknown): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error.message : undefined;
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
