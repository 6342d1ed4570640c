/**
 * `POST /v1/webhooks/{provider}`: provider pushes, authenticated by their signature over the raw
 * bytes (no API key: providers cannot all send one). Mounted before API-key authentication, and
 * the signature is checked before the body is parsed as JSON. `GET /v1/webhooks/stats` is an
 * ordinary authenticated route.
 */
import express, { type Request, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TrackingEvent, TrackingSummary } from '../../workflows/shipment.contract';
import { webhookReceivedResponse, webhookStatsResponse } from './webhooks.schemas';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { unstorableTextErrors } from '../http/validate';
import { workflowUnavailable } from '../shipments/shipments.errors';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import type { TrackingIngest } from '../tracking/tracking.ingest';
import { DEFAULT_WEBHOOK_MAX_AGE_MS, describeDuration, staleDelivery } from './webhooks.freshness';
import { parseWebhook, type ParsedWebhook } from './webhooks.parsers';
import { isWebhookProvider, WEBHOOK_PROVIDERS, type WebhookProvider } from './webhooks.providers';
import type { Candidate, DeliveryWork, Received, WebhookRepository } from './webhooks.repository';
import {
  DEFAULT_WEBHOOK_ROUTING,
  servesCarrier,
  webhookReceivers,
  type WebhookRouting,
  type WebhookSecrets,
} from './webhooks.routing';
import { SIGNATURE_HEADERS, verifySignature } from './webhooks.signatures';

export type { WebhookRouting, WebhookSecrets } from './webhooks.routing';

export interface WebhookRoutesDeps {
  secrets: WebhookSecrets;
  /** Which provider serves which carriers (default: the configuration's defaults). */
  routing?: WebhookRouting;
  /** WEBHOOK_MAX_AGE in milliseconds: older deliveries are refused (default 30 days). */
  maxAgeMs?: number;
  /** The clock deliveries are judged by (ms since the epoch); tests inject one. */
  now?: () => number;
  webhooks: WebhookRepository;
  ingest: TrackingIngest;
  workflows: WorkflowGateway;
  logger: Logger;
  bodyLimit: string;
}

function isJson(req: Request): boolean {
  return typeof req.is(['application/json', 'application/*+json']) === 'string';
}

function readJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ProblemError(
      400,
      'request.malformed_json',
      'Malformed JSON',
      'The request body is not valid JSON.',
    );
  }
}

interface Outcome {
  events: number;
  duplicates: number;
  unknown: string[];
}

/**
 * The shipment a provider's push for this number is about: among those whose carrier the
 * provider serves, the one of the carrier it names, else the most recently registered.
 */
function shipmentFor(
  candidates: Candidate[],
  trackingNumber: string,
  carrierHint: string | undefined,
  serves: (carrier: string) => boolean,
): string | undefined {
  const ours = candidates.filter((c) => c.trackingNumber === trackingNumber && serves(c.carrier));
  const hint = carrierHint?.toLowerCase();
  const hinted = ours.filter((c) => c.carrier.toLowerCase() === hint);
  return (hinted.length ? hinted : ours).at(-1)?.shipmentId;
}

const providerParams = z.object({ provider: z.enum(WEBHOOK_PROVIDERS) });

export function webhooksRoutes(deps: WebhookRoutesDeps): RouteSpec[] {
  const { secrets, webhooks, ingest, workflows } = deps;
  const routing = deps.routing ?? DEFAULT_WEBHOOK_ROUTING;
  const receivers = webhookReceivers(secrets, routing);
  const maxAgeMs = deps.maxAgeMs ?? DEFAULT_WEBHOOK_MAX_AGE_MS;
  const now = deps.now ?? Date.now;

  // Scans are stored before the workflows are told, outside any transaction: a workflow that
  // cannot be told makes the caller release the claim, so the provider's redelivery does it again.
  async function applyTracking(
    provider: WebhookProvider,
    parsed: ParsedWebhook,
    work: Pick<DeliveryWork, 'candidates' | 'record'>,
    log: Logger,
  ): Promise<Outcome> {
    const serves = (carrier: string) => servesCarrier(routing, provider, 'tracking', carrier);
    const rows: { shipmentId: string; event: TrackingEvent }[] = [];
    const summaries: { shipmentId: string; summary: TrackingSummary }[] = [];
    const unknown: string[] = [];
    for (const t of parsed.trackings) {
      // A parcel another provider tracks is as unknown to this one as a number we never saw.
      const shipmentId = shipmentFor(work.candidates, t.trackingNumber, t.carrier, serves);
      if (!shipmentId) unknown.push(t.trackingNumber);
      else {
        for (const event of t.events) rows.push({ shipmentId, event });
        if (t.summary) summaries.push({ shipmentId, summary: t.summary });
      }
    }
    const accepted = await work.record(rows, `webhook:${provider}`, {
      kind: 'tracking_number',
      references: unknown,
    });
    // Duplicates are signalled too: the workflow dedupes by eventId.
    const failed = await ingest.signal(rows, log);
    // After the events, so the workflow weighs the summary against the scans it came with.
    for (const { shipmentId, summary } of summaries) {
      if (failed.includes(shipmentId)) continue;
      try {
        if (!(await workflows.signalTrackingSummary(shipmentId, summary))) {
          log.info({ shipmentId }, 'tracking summary for a closed workflow');
        }
      } catch (err) {
        log.error({ err, shipmentId }, 'tracking summary signal failed');
        failed.push(shipmentId);
      }
    }
    if (failed.length) {
      throw workflowUnavailable(
        `The workflow of ${failed.join(', ')} could not be told; nothing was recorded, deliver again.`,
      );
    }
    return { events: accepted, duplicates: rows.length - accepted, unknown };
  }

  // Inside the delivery's transaction, signals included: a workflow that cannot be told rolls back
  // the claim and the decision's history row, so the provider's redelivery does it all again.
  async function applyClaims(
    provider: WebhookProvider,
    parsed: ParsedWebhook,
    work: DeliveryWork,
    log: Logger,
  ): Promise<Outcome> {
    const serves = (carrier: string) => servesCarrier(routing, provider, 'claims', carrier);
    const unknown: string[] = [];
    const failed: string[] = [];
    for (const update of parsed.claims) {
      const target = await work.applyClaimUpdate(update, serves);
      if (target === 'unknown') unknown.push(update.claimId);
      // Applied before (the same decision in another delivery): its workflow was told then.
      if (typeof target === 'string') continue;
      try {
        if (!(await workflows.signalClaimUpdate(target.workflowId, update)))
          log.info({ workflowId: target.workflowId }, 'claim update for a closed workflow');
      } catch (err) {
        log.error({ err, workflowId: target.workflowId }, 'claim update signal failed');
        failed.push(update.claimId);
      }
    }
    if (failed.length) {
      throw workflowUnavailable(
        `The workflow of claim ${failed.join(', ')} could not be told; nothing was recorded, deliver again.`,
      );
    }
    await work.record([], `webhook:${provider}`, { kind: 'claim_id', references: unknown });
    return { events: 0, duplicates: 0, unknown };
  }

  /** A tracking delivery: claimed and stored, its workflows told, then completed (or released). */
  async function receiveTracking(
    delivery: { provider: WebhookProvider; deliveryId: string; kind: string },
    parsed: ParsedWebhook,
    log: Logger,
  ): Promise<Received<Outcome>> {
    const claimed = await webhooks.claimTracking(
      delivery,
      parsed.trackings.map((t) => t.trackingNumber),
    );
    if (claimed.duplicate) return claimed;
    let result: Outcome;
    try {
      result = await applyTracking(delivery.provider, parsed, claimed.claim, log);
    } catch (err) {
      // Left unfinished, the claim would be taken again only once its lease ran out.
      await claimed.claim.release().catch((releaseErr: unknown) => {
        log.error(
          { err: releaseErr, deliveryId: delivery.deliveryId },
          'could not release a webhook claim',
        );
      });
      throw err;
    }
    await claimed.claim.complete();
    return { duplicate: false, result };
  }

  /** The configured receiver a push is for: `webhookReceivers` decides which exist. */
  const receiverFor = (req: Request): { provider: WebhookProvider; secret: string } => {
    const provider = String(req.params.provider ?? '');
    if (!isWebhookProvider(provider)) {
      throw new ProblemError(
        404,
        'webhook.unknown_provider',
        'Unknown webhook provider',
        `No webhook receiver for "${provider}"; providers are ${WEBHOOK_PROVIDERS.join(', ')}.`,
      );
    }
    const secret = secrets[provider];
    // Not configured here: as if the route did not exist (the answer names no setting).
    if (!secret || !receivers.includes(provider)) {
      throw new ProblemError(
        404,
        'webhook.not_configured',
        'No such webhook receiver',
        `This server has no ${provider} receiver; it is mounted once that provider is configured.`,
      );
    }
    return { provider, secret };
  };

  // A receiver that is not mounted here reads no body, as a route that does not exist.
  const mounted: RequestHandler = (req, _res, next) => {
    receiverFor(req);
    next();
  };

  const verified: RequestHandler = (req, _res, next) => {
    const { provider, secret } = receiverFor(req);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = req.get(SIGNATURE_HEADERS[provider]);
    if (!verifySignature(provider, raw, header, secret)) {
      throw new ProblemError(
        401,
        header ? 'webhook.bad_signature' : 'webhook.missing_signature',
        'Webhook signature rejected',
        header
          ? `The ${SIGNATURE_HEADERS[provider]} header does not match the body; nothing was recorded.`
          : `The ${SIGNATURE_HEADERS[provider]} header is missing; nothing was recorded.`,
      );
    }
    next();
  };

  const receive = route({
    method: 'post',
    path: '/v1/webhooks/{provider}',
    access: 'signed',
    operationId: 'receiveWebhook',
    tag: 'Webhooks',
    summary:
      'Receive a provider webhook (aftership, 17track, easypost, sandbox); authenticated by the provider signature over the raw body',
    params: providerParams,
    bodyContent: { 'application/json': { type: 'object' } },
    // Raw bytes whatever the declared type: the signature covers them, not a re-serialization.
    // The handler parses them as JSON once the signature holds.
    bodyParser: 'raw',
    before: [mounted, express.raw({ type: () => true, limit: deps.bodyLimit }), verified],
    answer: {
      description:
        '{received, duplicate, deliveryId, kind?, event?, accepted?, duplicates?, unknown?}',
      schema: webhookReceivedResponse,
    },
    responses: {
      '400': 'Malformed JSON or not the documented payload shape',
      '401': 'Missing or wrong signature; nothing recorded',
      '404': 'Unknown provider, or no receiver for it here (provider not configured)',
      '415': 'Not sent as JSON',
      '422': 'Delivery older than WEBHOOK_MAX_AGE (webhook.stale_event); nothing recorded',
      '503': 'Temporal unreachable; nothing recorded, deliver again',
    },
    handler: async ({ req, params: { provider } }) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isJson(req)) {
        throw new ProblemError(
          415,
          'request.unsupported_media_type',
          'Unsupported media type',
          'Send the body as JSON with Content-Type: application/json.',
        );
      }
      const body = readJson(raw);
      const nul = unstorableTextErrors(body);
      if (nul.length) {
        throw new ProblemError(
          400,
          'webhook.invalid_payload',
          'Invalid webhook payload',
          `The ${provider} payload holds text we cannot store: ${nul.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
          { errors: nul },
        );
      }
      const parsed = parseWebhook(provider, body, raw);
      const log = req.log;
      // Before any database work: a replayed old delivery costs nothing.
      const stale = staleDelivery(parsed, now(), maxAgeMs);
      if (stale) {
        const window = describeDuration(maxAgeMs);
        log.warn({ provider, deliveryId: parsed.deliveryId, ...stale }, 'stale webhook refused');
        throw new ProblemError(
          422,
          'webhook.stale_event',
          'Stale webhook delivery',
          `The ${provider} delivery ${parsed.deliveryId} (${parsed.event}) is from ${stale.at} (${stale.basis}), older than the ${window} window (WEBHOOK_MAX_AGE); nothing was recorded.`,
        );
      }
      const delivery = { provider, deliveryId: parsed.deliveryId, kind: parsed.kind };
      const received: Received<Outcome> =
        parsed.kind === 'tracking'
          ? await receiveTracking(delivery, parsed, log)
          : await webhooks.receive(delivery, [], (work): Promise<Outcome> =>
              parsed.kind === 'claim'
                ? applyClaims(provider, parsed, work, log)
                : Promise.resolve({ events: 0, duplicates: 0, unknown: [] }),
            );
      if (received.duplicate) {
        return { received: true as const, duplicate: true as const, deliveryId: parsed.deliveryId };
      }
      const outcome = received.result;
      if (outcome.unknown.length)
        log.info({ provider, unknown: outcome.unknown }, 'unknown references');
      return {
        received: true as const,
        duplicate: false as const,
        deliveryId: parsed.deliveryId,
        kind: parsed.kind,
        event: parsed.event,
        accepted: outcome.events,
        duplicates: outcome.duplicates,
        unknown: outcome.unknown,
      };
    },
  });

  /** Per-provider delivery counts, for analysts watching the integrations. */
  const stats = route({
    method: 'get',
    path: '/v1/webhooks/stats',
    access: 'analyze',
    operationId: 'getWebhookStats',
    tag: 'Webhooks',
    summary: 'Webhook deliveries per provider, with unknown tracking numbers (analyst, admin)',
    answer: { description: '{providers}', schema: webhookStatsResponse },
    // Deliveries are stored only for known providers: the guard narrows the column's text.
    handler: async () => ({
      providers: (await webhooks.stats()).flatMap((p) =>
        isWebhookProvider(p.provider) ? [{ ...p, provider: p.provider }] : [],
      ),
    }),
  });

  return [receive, stats];
}
