import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import express from 'express';
import type { Logger } from 'pino';
import { createAdviceService } from '../advice/advice.service';
import { adviceRoutes } from '../advice/advice.routes';
import { createAnalyticsRepository } from '../analytics/analytics.repository';
import { createPreventionRepository, preventionRoutes } from '../analytics/prevention';
import { DEFAULT_CHANNEL_POLICY, type ChannelPolicy } from '../channels/channel-choice';
import { channelsRoutes } from '../channels/channels.routes';
import { analyticsRoutes } from '../analytics/analytics.routes';
import { batchesRoutes } from '../batches/batches.routes';
import { carriersRoutes } from '../carriers/carriers.routes';
import { createClaimRepository } from '../claims/claims.repository';
import { consoleRoutes } from '../console/console.routes';
import { claimActionsRoutes } from '../claims/claims.actions.routes';
import { claimsRoutes } from '../claims/claims.routes';
import { DEV_API_KEY_SECRET } from '../config';
import type { Db } from '../db/client';
import { createEstimator } from '../estimates/estimates.repository';
import { createInquiryService } from '../inquiries/inquiries.service';
import { inquiriesRoutes } from '../inquiries/inquiries.routes';
import { messagesRoutes } from '../messages/messages.routes';
import { createOutboxRepository } from '../messages/outbox.repository';
import { DEFAULT_MESSAGING, type MessagingSettings } from '../messages/settings';
import { createTemplateRepository } from '../messages/templates.repository';
import { CUSTOMER_STATE_TIMEOUT_MS, customerRoutes } from '../customer/customer.routes';
import { surveysRoutes } from '../surveys/surveys.routes';
import { createSurveyRepository } from '../surveys/surveys.repository';
import { createInventoryRepository } from '../inventory/inventory.repository';
import { inventoryRoutes } from '../inventory/inventory.routes';
import { createHistoryService } from '../history/history.service';
import { historyRoutes } from '../history/history.routes';
import { createPolicyRepository } from '../policies/policies.repository';
import { policiesRoutes } from '../policies/policies.routes';
import { createReportRepository } from '../reports/report.repository';
import { reportsRoutes } from '../reports/report.routes';
import { createReviewRepository } from '../reviews/reviews.repository';
import { reviewsRoutes } from '../reviews/reviews.routes';
import { createShipmentRepository } from '../shipments/shipments.repository';
import { shipmentsRoutes } from '../shipments/shipments.routes';
import { createWorkflowGateway } from '../shipments/shipments.temporal';
import { createTrackingRepository } from '../tracking/tracking.repository';
import { createTrackingIngest } from '../tracking/tracking.ingest';
import { trackingRoutes } from '../tracking/tracking.routes';
import { createWebhookRepository } from '../webhooks/webhooks.repository';
import { defaultShopPlatforms, type ShopPlatforms } from '../shops/platforms';
import type { SecretBox } from '../shops/secret-box';
import { createShopIntake } from '../shops/shops.intake';
import { createShopRepository } from '../shops/shops.repository';
import { credentialsFailingAlert } from '../shops/shops.alerts';
import { shopsRoutes } from '../shops/shops.routes';
import { shopWebhooksRoutes } from '../shops/shops.webhooks';
import { REPORT_SCHEDULE_ID } from '../../workflows/report.contract';
import {
  webhooksRoutes,
  type WebhookRouting,
  type WebhookSecrets,
} from '../webhooks/webhooks.routes';
import { createKeyStore } from '../api-keys/api-keys.repository';
import { apiKeysRoutes } from '../api-keys/api-keys.routes';
import { meRoutes } from '../api-keys/me.routes';
import { DEVELOPMENT_ENDPOINT_URLS, type EndpointUrlPolicy } from '../events/endpoint-url';
import { createEndpointRepository } from '../events/endpoints.repository';
import { eventsRoutes } from '../events/events.routes';
import { exportsRoutes } from '../exports/exports.routes';
import { authenticate, type ApiKey } from '../http/auth';
import { codecCors, codecRoutes } from '../codec/codec.routes';
import {
  codecSessionAuth,
  codecSessionRoutes,
  randomCodecSessionSecret,
  type CodecSessionDeps,
} from '../codec/codec-session';
import { createCodecSessionRevocations } from '../codec/codec-session.repository';
import { docsRoutes } from './docs.routes';
import { faviconRoutes } from './favicon.routes';
import { createApiMetrics, metricsRoutes } from './metrics';
import { requestLogging } from '../http/request-id';
import { defaultReadiness, healthRoutes } from './health.routes';
import { openApiDocument } from './openapi';
import { beforeAuthentication, BODY_LIMIT, mountRoutes, type RouteSpec } from '../http/route';
import { problemHandler, routeNotFound } from '../http/problems';
import { rateLimitByKey } from '../http/rate-limit';
import { createSharedRateLimiter } from '../http/rate-limit-store';
import { securityHeaders, unauthenticatedLimit } from '../http/security';

export { parseApiKeys, ROLES, type ApiKey, type Role } from '../http/auth';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  apiKeys: ApiKey[];
  /** API_KEY_SECRET (the first hashes, all verify); default: the public development secret. */
  apiKeySecrets?: string[];
  /** `apiKeys` is the development key (API_KEYS unset): only then is `dev-admin-key` accepted. */
  developmentKey?: boolean;
  logger: Logger;
  /** Readiness probe; defaults to `select 1` on the database and GetSystemInfo on Temporal. */
  ready?: () => Promise<{ db: boolean; temporal: boolean }>;
  /** How long GET /v1/shipments/{id} waits for the workflow before answering from the read model. */
  queryTimeoutMs?: number;
  /** Signing secrets of the webhook providers; a provider without one has no receiver (404). */
  webhookSecrets?: WebhookSecrets;
  /** Which provider serves which carriers (TRACKING_PROVIDER, CLAIMS_PROVIDER); default sandbox. */
  webhookRouting?: WebhookRouting;
  /** WEBHOOK_MAX_AGE in ms: older provider deliveries are refused (default 30 days). */
  webhookMaxAgeMs?: number;
  /** The clock webhook deliveries are judged by (ms since the epoch); tests inject one. */
  webhookClock?: () => number;
  /** How long a review decision waits for the workflow to take it. */
  updateTimeoutMs?: number;
  /** Survey secret, ops address and on-site channel for customer messages (default DEFAULT_MESSAGING). */
  messaging?: Partial<MessagingSettings>;
  /** Base URL of the Temporal Web UI, for links from a shipment's history. */
  temporalUiUrl?: string;
  /** Bearer token that may read /metrics only (besides analyst and admin keys). */
  metricsToken?: string;
  /** The worker's Temporal SDK Prometheus endpoint, appended to /metrics when set. */
  sdkMetricsUrl?: string;
  /** Schedule that POST /v1/reports:run triggers (default REPORT_SCHEDULE_ID). */
  reportScheduleId?: string;
  /** Requests per minute per API key (token bucket); undefined or 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** Requests per minute per client IP without an accepted API key; undefined or 0: no limit. */
  publicRateLimitPerMinute?: number;
  /** The rate limiter's clock (ms since the epoch); tests inject one. Default: the database's. */
  rateLimitClock?: () => number;
  /**
   * Prefix of this API's rate limit counters in the database (default `api`). Every replica of
   * one deployment shares it, so they count together; tests give each app its own.
   */
  rateLimitScope?: string;
  /** The PAYLOAD_KEY codec, served at /codec/{encode,decode} for the Temporal UI and CLI. */
  payloadCodec?: PayloadCodec;
  /** Browser origins (the Temporal UI's) allowed to call /codec/* cross-origin. */
  codecCorsOrigins?: string[];
  /**
   * HMAC key of codec session cookies (POST /codec/session). Default: random per process, so a
   * restart ends the sessions and replicas do not accept each other's; give every replica
   * codecSessionSecretFromPayloadKey(PAYLOAD_KEY) to share them.
   */
  codecSessionSecret?: Uint8Array;
  /** The codec sessions' clock (ms since the epoch); tests inject one. */
  codecSessionClock?: () => number;
  /** Customer page help and helper messages per link and per client address, per hour. */
  customerPageLimits?: { perLinkPerHour?: number; perAddressPerHour?: number };
  /** Seals shop credentials (from PAYLOAD_KEY); without it the shop routes answer 503. */
  secretBox?: SecretBox;
  /** The shop platform modules (default: Shopify and WooCommerce); tests inject fakes. */
  shopPlatforms?: ShopPlatforms;
  /** The fetch calls into shops go through (the outbound policy); default global fetch. */
  shopFetch?: typeof fetch;
  /**
   * Which webhook endpoint URLs are taken (production: https, no private address unless in
   * OUTBOUND_ALLOWED_HOSTS); default the development rule. Their secrets are sealed with
   * `secretBox` (without it no endpoint can be made: 503).
   */
  webhookEndpointUrls?: EndpointUrlPolicy;
  /** The channel policy until one is stored through /v1/channel-policy (default DEFAULT_CHANNEL_POLICY). */
  channelPolicy?: ChannelPolicy;
  /** How long advice uses its cached lane figures and settings (default ADVICE_CACHE_TTL_MS). */
  adviceCacheTtlMs?: number;
}

export function createApp(deps: AppDeps): express.Express {
  const { db, logger } = deps;
  const workflows = createWorkflowGateway({
    client: deps.temporal,
    taskQueue: deps.taskQueue,
    queryTimeoutMs: deps.queryTimeoutMs,
    updateTimeoutMs: deps.updateTimeoutMs,
  });
  const shipments = createShipmentRepository(db);
  // Lane figures cached per carrier and lane for every answer that shows an expected delivery.
  const estimates = createEstimator(db);
  const policies = createPolicyRepository(db);
  // Advice at shipping time and with every registration, from cached lane figures and settings.
  const advice = createAdviceService({
    db,
    fallbackPolicy: deps.channelPolicy ?? DEFAULT_CHANNEL_POLICY,
    ttlMs: deps.adviceCacheTtlMs,
  });
  const tracking = createTrackingRepository(db);
  const ingest = createTrackingIngest({ tracking, workflows, logger });
  const webhooks = createWebhookRepository(db);
  // Without the secret box (no PAYLOAD_KEY) credentials can be neither sealed nor opened (503).
  const shops = createShopRepository(db, deps.secretBox);
  const shopPlatforms = deps.shopPlatforms ?? defaultShopPlatforms();
  const shopIntake = createShopIntake({ db, shipments, workflows, logger });

  const app = express();
  app.use(securityHeaders());
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const keys = createKeyStore(db, {
    envKeys: deps.apiKeys,
    secrets: deps.apiKeySecrets ?? [DEV_API_KEY_SECRET],
    developmentKey: deps.developmentKey,
    onError: (err, msg) => logger.warn({ err }, msg),
  });
  const metrics = createApiMetrics(db);
  app.use(requestLogging(logger));
  app.use(metrics.httpMetrics);
  app.use(unauthenticatedLimit({ perMinute: deps.publicRateLimitPerMinute }));

  // Customer messages: the outbox and the seller's templates.
  const messaging: MessagingSettings = { ...DEFAULT_MESSAGING, ...deps.messaging };
  const outbox = createOutboxRepository(db, messaging);
  const credentialsFailing = credentialsFailingAlert(shops, outbox, messaging.opsEmail);
  const templates = createTemplateRepository(db);

  const codecSessions: CodecSessionDeps = {
    keys,
    revocations: createCodecSessionRevocations(db),
    secret: deps.codecSessionSecret ?? randomCodecSessionSecret(),
    now: deps.codecSessionClock ?? Date.now,
    origins: deps.codecCorsOrigins ?? [],
    // Behind a TLS proxy the connection is plain HTTP: PUBLIC_URL tells.
    secure: new URL(messaging.publicUrl).protocol === 'https:',
  };

  // Every operation declared once (src/http/route.ts), in this order: a literal path listed
  // before a template that would also match it wins (/v1/analytics/surveys).
  const routes: RouteSpec[] = [
    ...healthRoutes(deps.ready ?? defaultReadiness(db, deps.temporal)),
    // The document of this very list, built right below it.
    ...docsRoutes(() => apiDocument),
    ...faviconRoutes(),
    // The ops console's page and assets are public; its script sends the reviewer's key itself.
    ...consoleRoutes(),
    ...metricsRoutes({
      metrics,
      keys,
      token: deps.metricsToken,
      sdkMetricsUrl: deps.sdkMetricsUrl,
    }),
    // Providers sign their pushes instead of sending an API key; the signature is checked over
    // the raw bytes before they are parsed.
    ...webhooksRoutes({
      secrets: deps.webhookSecrets ?? {},
      routing: deps.webhookRouting,
      maxAgeMs: deps.webhookMaxAgeMs,
      now: deps.webhookClock,
      webhooks,
      ingest,
      workflows,
      logger,
      bodyLimit: BODY_LIMIT,
    }),
    // Connected shops sign their order and fulfillment webhooks (checked over the raw bytes).
    ...shopWebhooksRoutes({
      shops,
      platforms: shopPlatforms,
      intake: shopIntake,
      fetch: deps.shopFetch,
      credentialsFailing,
      logger,
      bodyLimit: BODY_LIMIT,
    }),
    // The survey page answers customers (its signed token is the credential).
    ...surveysRoutes({
      surveys: createSurveyRepository(db),
      secret: messaging.surveySecret,
      linkTtlMs: messaging.surveyLinkTtlMs,
    }),
    // A shipment's customer page, from the link in every customer mail (the link is the credential).
    ...customerRoutes({
      db,
      shipments,
      inquiries: createInquiryService({
        db,
        shipments,
        workflows,
        outbox,
        templates,
        settings: messaging,
      }),
      estimator: estimates,
      // The helper asks the workflow for its state, briefly, before falling back to the read model.
      workflows: createWorkflowGateway({
        client: deps.temporal,
        taskQueue: deps.taskQueue,
        queryTimeoutMs: CUSTOMER_STATE_TIMEOUT_MS,
      }),
      settings: messaging,
      logger,
      ...(deps.customerPageLimits ? { limits: deps.customerPageLimits } : {}),
      rateLimitScope: deps.rateLimitScope,
    }),
    ...apiKeysRoutes(keys),
    // Who the calling key is (the console shows only the buttons its role may use).
    ...meRoutes(),
    // Events out: the seller's endpoints, signed deliveries and their history.
    ...eventsRoutes({
      endpoints: createEndpointRepository(db, deps.secretBox),
      urlPolicy: deps.webhookEndpointUrls ?? DEVELOPMENT_ENDPOINT_URLS,
    }),
    ...codecRoutes({ codec: deps.payloadCodec, logger }),
    ...codecSessionRoutes(codecSessions),
    ...inquiriesRoutes({
      db,
      shipments,
      inquiries: createInquiryService({
        db,
        shipments,
        workflows,
        outbox,
        templates,
        settings: messaging,
        estimates,
      }),
      outbox,
      settings: messaging,
      logger,
    }),
    ...reviewsRoutes({ reviews: createReviewRepository(db), shipments, workflows, logger }),
    ...policiesRoutes(policies),
    ...shopsRoutes({
      shops,
      policies,
      platforms: shopPlatforms,
      intake: shopIntake,
      fetch: deps.shopFetch,
      credentialsFailing,
      logger,
    }),
    ...carriersRoutes(),
    ...shipmentsRoutes({ shipments, policies, workflows, advice, logger, estimates }),
    ...trackingRoutes({ tracking, ingest }),
    ...batchesRoutes({
      temporal: deps.temporal,
      taskQueue: deps.taskQueue,
      queryTimeoutMs: deps.queryTimeoutMs,
    }),
    ...historyRoutes({
      shipments,
      history: createHistoryService({
        client: deps.temporal,
        temporalUiUrl: deps.temporalUiUrl ?? 'http://localhost:8233',
      }),
      logger,
    }),
    ...claimsRoutes({ claims: createClaimRepository(db), temporal: deps.temporal, logger }),
    ...claimActionsRoutes({ db, claims: createClaimRepository(db), temporal: deps.temporal }),
    ...exportsRoutes({
      shipments,
      reviews: createReviewRepository(db),
      claims: createClaimRepository(db),
    }),
    ...inventoryRoutes({ db, inventory: createInventoryRepository(db) }),
    ...adviceRoutes(advice),
    ...channelsRoutes(advice),
    // Literal analytics paths before the /v1/analytics/{table} template.
    ...preventionRoutes(createPreventionRepository(db)),
    ...analyticsRoutes(createAnalyticsRepository(db)),
    ...reportsRoutes({
      reports: createReportRepository(db),
      temporal: deps.temporal,
      scheduleId: deps.reportScheduleId ?? REPORT_SCHEDULE_ID,
    }),
    ...messagesRoutes({ db, outbox, templates, shipments }),
  ];
  // Built once, at startup: a spec the document cannot describe fails here, not on a request.
  const apiDocument = openApiDocument(routes, [{ url: messaging.publicUrl }]);
  const mount = (specs: RouteSpec[]) => mountRoutes(specs, { bodyLimit: BODY_LIMIT });

  // Open routes and /metrics (which checks its own token) come before key authentication.
  app.use(mount(routes.filter(beforeAuthentication)));
  // The Temporal UI's preflight carries no key: answered before authentication.
  app.use(codecCors(deps.codecCorsOrigins ?? []));
  // The UI cannot send our key: /codec/decode and /codec/encode also take the session cookie.
  app.use(codecSessionAuth(codecSessions));
  // Authenticate before reading bodies: strangers do not get to make us parse a megabyte.
  app.use(authenticate(keys));
  // Per key, before the access check and the body parser: a refused flood costs little. Counted
  // in the database, so all API processes share each key's allowance.
  if (deps.rateLimitPerMinute)
    app.use(
      rateLimitByKey(
        createSharedRateLimiter({
          db,
          prefix: `${deps.rateLimitScope ?? 'api'}:key:`,
          perMinute: deps.rateLimitPerMinute,
          now: deps.rateLimitClock,
          onSweepError: (err) => logger.warn({ err }, 'could not delete expired rate limit rows'),
        }),
        (err) => logger.warn({ err }, 'API key rate limit not counted: database unavailable'),
      ),
    );
  // Each route checks the key's role, then reads its body: a key that may not call it never
  // gets its body parsed.
  app.use(mount(routes.filter((r) => !beforeAuthentication(r))));

  app.use(routeNotFound);
  app.use(problemHandler(logger));
  app.locals[ROUTES] = routes;
  return app;
}

const ROUTES = 'parcelwardenRoutes';

/** The operations an app built by createApp serves, as declared (for tests and tools). */
export function declaredRoutes(app: express.Express): readonly RouteSpec[] {
  return app.locals[ROUTES] as readonly RouteSpec[];
}
