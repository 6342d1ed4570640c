/**
 * `POST /v1/webhooks/{provider}`: provider pushes, authenticated by their signature over the raw
 * bytes (no API key: providers cannot all send one). Mounted before the JSON parser and before
 * API-key authentication. `GET /v1/webhooks/stats` is an ordinary authenticated route.
 */
import express, { Router, type Request } from 'express';
import type { Logger } from 'pino';
import type { TrackingEvent } from '../../workflows/shipment.contract';
import { requirePermission } from '../http/auth';
import { ProblemError } from '../http/problems';
import { unstorableTextErrors } from '../http/validate';
import { workflowUnavailable } from '../shipments/shipments.errors';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import type { TrackingIngest } from '../tracking/tracking.ingest';
import type { TrackingRepository } from '../tracking/tracking.repository';
import { parseWebhook, type ParsedWebhook } from './webhooks.parsers';
import { isWebhookProvider, WEBHOOK_PROVIDERS, type WebhookProvider } from './webhooks.providers';
import type { WebhookRepository } from './webhooks.repository';
import {
  DEFAULT_WEBHOOK_ROUTING,
  webhookReceivers,
  type WebhookRouting,
  type WebhookSecrets,
} from './webhooks.routing';
import { SIGNATURE_HEADERS, verifySignature } from './webhooks.signatures';

export type { WebhookRouting, WebhookSecrets } from './webhooks.routing';

export interface WebhookDeps {
  secrets: WebhookSecrets;
  /** Which provider serves which carriers (default: the configuration's defaults). */
  routing?: WebhookRouting;
  webhooks: WebhookRepository;
  tracking: TrackingRepository;
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

export function webhookReceiverRouter(deps: WebhookDeps) {
  const { secrets, webhooks, tracking, ingest, workflows } = deps;
  const routing = deps.routing ?? DEFAULT_WEBHOOK_ROUTING;
  const receivers = webhookReceivers(secrets, routing);
  const router = Router();

  async function applyTracking(
    provider: WebhookProvider,
    parsed: ParsedWebhook,
    log: Logger,
  ): Promise<Outcome> {
    const rows: { shipmentId: string; event: TrackingEvent }[] = [];
    const unknown: string[] = [];
    for (const t of parsed.trackings) {
      const known = await tracking.resolveNumbers([t.trackingNumber], t.carrier);
      const shipmentId = known.get(t.trackingNumber);
      if (!shipmentId) unknown.push(t.trackingNumber);
      else for (const event of t.events) rows.push({ shipmentId, event });
    }
    const result = await ingest(rows, `webhook:${provider}`, log);
    if (result.failed.length) {
      throw workflowUnavailable(
        `The events are stored but the workflow of ${result.failed.join(', ')} could not be told; deliver again.`,
      );
    }
    await webhooks.recordUnknown(provider, 'tracking_number', unknown);
    return { events: result.accepted, duplicates: result.duplicates, unknown };
  }

  async function applyClaims(
    provider: WebhookProvider,
    parsed: ParsedWebhook,
    log: Logger,
  ): Promise<Outcome> {
    const unknown: string[] = [];
    const failed: string[] = [];
    for (const update of parsed.claims) {
      const target = await webhooks.applyClaimUpdate(update);
      if (!target) {
        unknown.push(update.claimId);
        continue;
      }
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
        `The claim is updated but its workflow could not be told (${failed.join(', ')}); deliver again.`,
      );
    }
    await webhooks.recordUnknown(provider, 'claim_id', unknown);
    return { events: 0, duplicates: 0, unknown };
  }

  router.post(
    '/v1/webhooks/:provider',
    // Raw bytes whatever the declared type: the signature covers them, not a re-serialization.
    express.raw({ type: () => true, limit: deps.bodyLimit }),
    async (req, res) => {
      const provider = req.params.provider ?? '';
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
      if (await webhooks.seenBefore(provider, parsed.deliveryId)) {
        res.json({ received: true, duplicate: true, deliveryId: parsed.deliveryId });
        return;
      }
      const log = req.log;
      const outcome =
        parsed.kind === 'tracking'
          ? await applyTracking(provider, parsed, log)
          : parsed.kind === 'claim'
            ? await applyClaims(provider, parsed, log)
            : { events: 0, duplicates: 0, unknown: [] };
      // Recorded last: a delivery that failed half-way is processed again when redelivered.
      await webhooks.recordDelivery({
        provider,
        deliveryId: parsed.deliveryId,
        kind: parsed.kind,
        events: outcome.events,
        unknown: outcome.unknown.length,
      });
      if (outcome.unknown.length)
        log.info({ provider, unknown: outcome.unknown }, 'unknown references');
      res.json({
        received: true,
        duplicate: false,
        deliveryId: parsed.deliveryId,
        kind: parsed.kind,
        event: parsed.event,
        accepted: outcome.events,
        duplicates: outcome.duplicates,
        unknown: outcome.unknown,
      });
    },
  );
  return router;
}

/** Per-provider delivery counts, for analysts watching the integrations. */
export function webhookStatsRouter(webhooks: WebhookRepository) {
  const router = Router();
  router.get('/v1/webhooks/stats', requirePermission('analyze'), async (_req, res) => {
    res.json({ providers: await webhooks.stats() });
  });
  return router;
}
