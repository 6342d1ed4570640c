import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import express from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Db } from '../db/client';
import { createPolicyRepository } from '../policies/policies.repository';
import { policiesRouter } from '../policies/policies.routes';
import { createReviewRepository } from '../reviews/reviews.repository';
import { reviewsRouter } from '../reviews/reviews.routes';
import { createShipmentRepository } from '../shipments/shipments.repository';
import { shipmentsRouter } from '../shipments/shipments.routes';
import { createWorkflowGateway } from '../shipments/shipments.temporal';
import { createTrackingRepository } from '../tracking/tracking.repository';
import { trackingRouter } from '../tracking/tracking.routes';
import { authenticate, type ApiKey } from './auth';
import { defaultReadiness, healthRouter } from './health.routes';
import { openApiDocument } from './openapi';
import { problemHandler, routeNotFound } from './problems';

export { parseApiKeys, ROLES, type ApiKey, type Role } from './auth';

export interface AppDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  apiKeys: ApiKey[];
  logger: Logger;
  /** Readiness probe; defaults to `select 1` on the database and GetSystemInfo on Temporal. */
  ready?: () => Promise<{ db: boolean; temporal: boolean }>;
  /** How long GET /v1/shipments/{id} waits for the workflow before answering from the read model. */
  queryTimeoutMs?: number;
  /** How long a review decision waits for the workflow to take it. */
  updateTimeoutMs?: number;
}

export const BODY_LIMIT = '1mb';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a sane X-Request-Id from the caller or makes one; echoed on the response. */
function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
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
  const policies = createPolicyRepository(db);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    pinoHttp({
      logger,
      genReqId: requestId,
      // Never log headers: they carry API keys.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );

  app.use(healthRouter(deps.ready ?? defaultReadiness(db, deps.temporal)));

  // Authenticate before reading bodies: strangers do not get to make us parse a megabyte.
  app.use(authenticate(deps.apiKeys));
  app.use(express.json({ limit: BODY_LIMIT }));

  const openapi = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  app.use(policiesRouter(policies));
  app.use(shipmentsRouter({ shipments, policies, workflows, logger }));
  app.use(trackingRouter({ tracking: createTrackingRepository(db), workflows, logger }));
  app.use(reviewsRouter({ reviews: createReviewRepository(db), shipments, workflows, logger }));

  app.use(routeNotFound);
  app.use(problemHandler(logger));
  return app;
}
