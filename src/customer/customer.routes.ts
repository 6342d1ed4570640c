/**
 * The customer's page of a shipment, reached from the signed link in every customer mail (no API
 * key: the link is the credential), its help forms and its helper. Forms are plain HTML posts
 * (CSRF: a token bound to the link), each limited per link and per client address.
 */
import { createHash, randomBytes } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Db } from '../db/client';
import { isDated } from '../estimates/estimate';
import type { Estimator } from '../estimates/estimates.repository';
import { estimateBasisWords } from '../estimates/estimate.words';
import { fieldErrors, ProblemError, validationFailed } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { PostgresRateLimitStore } from '../http/rate-limit-store';
import { rejectUnstorableText } from '../http/validate';
import { InquirySignalError, type InquiryService } from '../inquiries/inquiries.service';
import type { ShipmentReadRow } from '../messages/compose';
import type { MessagingSettings } from '../messages/settings';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import type { WorkflowGateway } from '../shipments/shipments.temporal';
import type { InquiryIntent } from '../../workflows/shipment.contract';
import { checkFormToken, formToken, pageEndsAt, verifyCustomerLink } from './customer-link';
import {
  acknowledgementPage,
  CUSTOMER_PAGE_CSP,
  customerPage,
  dateTime,
  expectedRange,
  messagePage,
  SCRIPT_PATH,
  type Turn,
} from './customer.page';
import { CUSTOMER_PAGE_SCRIPT } from './customer.script';
import { HELP_KINDS, pageText, type HelpKind } from './customer.text';
import { loadPageModel, type CustomerPageModel } from './customer.view';
import { helperReply, type HelperFacts } from './helper.rules';

export interface CustomerRoutesDeps {
  db: Db;
  shipments: ShipmentRepository;
  inquiries: InquiryService;
  estimator: Estimator;
  /**
   * The shipment workflows' `state` query, for the helper (built with a short timeout,
   * CUSTOMER_STATE_TIMEOUT_MS); without it, or when it cannot answer, the read model answers.
   */
  workflows?: Pick<WorkflowGateway, 'state'>;
  settings: Pick<
    MessagingSettings,
    'customerLinkKeys' | 'customerPageAfterCloseMs' | 'supportReplyHours'
  >;
  logger: Logger;
  now?: () => Date;
  /** Help requests and helper messages per link and per client address, per hour. */
  limits?: { perLinkPerHour?: number; perAddressPerHour?: number };
  /** Prefix of the limits' counters in the database (default `api`), shared by all replicas. */
  rateLimitScope?: string;
}

/** How long the helper waits for the workflow's own state before answering from the read model. */
export const CUSTOMER_STATE_TIMEOUT_MS = 2_000;

/** The intent each help form gives its inquiry. */
const FORM_INTENT: Record<HelpKind, InquiryIntent> = {
  not_received: 'not_received',
  delivered_not_received: 'delivered_not_received',
  damaged: 'damaged',
  refund: 'wants_refund',
  change_address: 'address_change',
};

/** How the form reads to ops, whatever the customer's language. */
const FORM_HEADLINE: Record<HelpKind, string> = {
  not_received: 'Customer page: my parcel has not arrived.',
  delivered_not_received:
    'Customer page: marked delivered, but I do not have it (checked with neighbours and pickup point).',
  damaged: 'Customer page: my parcel arrived damaged.',
  refund: 'Customer page: I want a refund.',
  change_address: 'Customer page: please change the delivery address.',
};

const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

const helpForm = z.object({
  csrf: z.string().max(100),
  nonce: z.string().regex(NONCE),
  kind: z.enum(HELP_KINDS),
  details: z.string().trim().max(2000).optional(),
  address: z.string().trim().max(1000).optional(),
});

const chatForm = z.object({
  csrf: z.string().max(100),
  nonce: z.string().max(100).optional(),
  q: z.string().trim().min(1).max(500),
  state: z.string().max(12_000).optional(),
});

/** The conversation, kept by the page (hidden field) rather than a server session. */
const chatState = z.object({
  /** Conversation id: with the turn number, the handover's inquiry id. */
  cid: z.string().regex(NONCE),
  misses: z.number().int().min(0).max(10),
  turns: z.array(z.object({ q: z.string().max(500), a: z.string().max(2000) })).max(6),
});
type ChatState = z.output<typeof chatState>;

const field = (body: unknown, name: string): unknown =>
  body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined;

const newNonce = () => randomBytes(16).toString('base64url');

function decodeState(raw: string | undefined): ChatState {
  if (raw) {
    try {
      const parsed = chatState.safeParse(
        JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')),
      );
      if (parsed.success) return parsed.data;
    } catch {
      // a state we did not write starts a new conversation
    }
  }
  return { cid: newNonce(), misses: 0, turns: [] };
}

const encodeState = (s: ChatState) => Buffer.from(JSON.stringify(s), 'utf8').toString('base64url');

/** What the helper may say of a shipment, in the customer's words and time zone. */
export function helperFacts(
  model: CustomerPageModel,
  now: Date,
  supportHours: number,
): HelperFacts {
  const { lang, t } = pageText(model.locale);
  const locale = Intl.getCanonicalLocales(model.locale)[0] ?? lang;
  const zone = model.timeZone;
  const last = model.events[0];
  const expected = model.replacement?.expected ?? model.expected;
  const basis = estimateBasisWords(expected, lang);
  return {
    status: model.status,
    statusWords: t.status[model.status],
    carrier: model.carrier,
    tracking: model.trackingNumber,
    ...(isDated(expected) ? { expected: expectedRange(expected, locale, zone) } : {}),
    ...(basis ? { expectedBasis: basis } : {}),
    ...(last
      ? {
          lastScanDate: dateTime(last.at, locale, zone),
          lastScanWords: t.events[last.status] ?? t.events.unknown,
          daysSinceScan: Math.floor((now.getTime() - Date.parse(last.at)) / 86_400_000),
        }
      : {}),
    ...(model.delivered ? { deliveredDate: dateTime(model.delivered.at, locale, zone) } : {}),
    ...(model.replacement ? { replacementTracking: model.replacement.trackingNumber } : {}),
    supportHours,
  };
}

export function customerRoutes(deps: CustomerRoutesDeps): RouteSpec[] {
  const { db, settings, logger } = deps;
  const keys = settings.customerLinkKeys;
  const now = deps.now ?? (() => new Date());
  const html = (res: Response, status: number, page: string) =>
    res
      .status(status)
      .set('Content-Security-Policy', CUSTOMER_PAGE_CSP)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(page);
  // A browser form (or the page's script asking for JSON) gets pages; any other client problems.
  const wantsJson = (req: Request) =>
    req.accepts(['html', 'json']) === 'json' ||
    (req.method !== 'GET' && !req.is('application/x-www-form-urlencoded'));
  const browserLocale = (req: Request) => req.acceptsLanguages()[0];

  type Found =
    | { ok: true; row: ShipmentReadRow; token: string }
    | { ok: false; status: 404 | 410; locale?: string | undefined };

  /** The shipment a link reaches; one answer for altered and unknown links. */
  async function find(req: Request): Promise<Found> {
    const token = String(req.params.token ?? '');
    const at = now();
    const check = verifyCustomerLink(token, keys, at);
    if (!check.ok) return { ok: false, status: check.reason === 'expired' ? 410 : 404 };
    const row = await deps.shipments.get(check.shipmentId);
    if (!row) return { ok: false, status: 404 };
    const ends = pageEndsAt(row, settings.customerPageAfterCloseMs);
    if (ends && ends.getTime() <= at.getTime())
      return { ok: false, status: 410, locale: row.registration.customer.locale };
    return { ok: true, row, token };
  }

  const refuse = (req: Request, res: Response, f: Extract<Found, { ok: false }>) => {
    const which = f.status === 410 ? 'expired' : 'invalid';
    if (wantsJson(req))
      throw new ProblemError(
        f.status,
        f.status === 410 ? 'customer_page.expired' : 'customer_page.not_found',
        f.status === 410 ? 'Link expired' : 'Link not valid',
        pageText(f.locale ?? browserLocale(req)).t[
          which === 'expired' ? 'expiredText' : 'invalidText'
        ],
      );
    html(res, f.status, messagePage(f.locale ?? browserLocale(req), which));
  };

  // express-rate-limit marks the request instead of answering, so the refusal is a page in the
  // customer's language (known only once the link is read). The counters are in the database,
  // shared by every API process. Without the database the forms fail closed: 503
  // database.unavailable (problem+json) to send again, never a form taken uncounted.
  const LIMITED = Symbol('customer page rate limited');
  const scope = deps.rateLimitScope ?? 'api';
  const limiter = (name: string, perHour: number, key?: (req: Request) => string) =>
    rateLimit({
      windowMs: 60 * 60_000,
      limit: perHour,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      store: new PostgresRateLimitStore({
        db,
        prefix: `${scope}:customer-${name}:`,
        now: deps.now && (() => now().getTime()),
        onSweepError: (err) => logger.warn({ err }, 'could not delete expired rate limit rows'),
      }),
      ...(key ? { keyGenerator: key } : {}),
      validate: { xForwardedForHeader: false, trustProxy: false },
      handler: (req, _res, next) => {
        (req as unknown as Record<symbol, boolean>)[LIMITED] = true;
        next();
      },
    });
  const perLink = limiter(
    'link',
    deps.limits?.perLinkPerHour ?? 20,
    (req) => `link:${String(req.params.token ?? '')}`,
  );
  const perAddress = limiter('address', deps.limits?.perAddressPerHour ?? 60);
  const limited = (req: Request) => (req as unknown as Record<symbol, boolean>)[LIMITED] === true;
  const parsers = [
    perLink,
    perAddress,
    express.urlencoded({ extended: false, limit: '16kb' }),
    express.json({ limit: '16kb' }),
    rejectUnstorableText,
  ];

  const PROBLEM = {
    400: ['validation.failed', 'Validation failed'],
    403: ['customer_page.form_token', 'Form not from this page'],
    429: ['rate_limit.customer_page', 'Too many requests'],
    503: ['workflow.unavailable', 'Try again'],
  } as const;
  /** A refusal as a page in the customer's language, or as a problem for other clients. */
  const failure =
    (req: Request, res: Response, locale: string) =>
    (
      status: keyof typeof PROBLEM,
      which: 'tooMany' | 'formExpired' | 'unavailable',
      error?: z.ZodError,
    ): void => {
      if (!wantsJson(req)) return void html(res, status, messagePage(locale, which));
      if (status === 400 && error) throw validationFailed(fieldErrors(error));
      const [code, title] = PROBLEM[status];
      throw new ProblemError(status, code, title, pageText(locale).t[which]);
    };

  const context = (token: string, state?: ChatState) => {
    const s = state ?? { cid: newNonce(), misses: 0, turns: [] };
    return {
      token,
      csrf: formToken(token, keys),
      nonce: newNonce(),
      chatState: encodeState(s),
      turns: s.turns as Turn[],
    };
  };

  const script = route({
    method: 'get',
    path: SCRIPT_PATH,
    access: 'public',
    operationId: 'getCustomerPageScript',
    tag: 'Customer page',
    summary: 'The customer page’s script (the helper answers without a reload)',
    answer: { description: 'JavaScript', contentType: 'text/javascript' },
    handler: ({ res }) => {
      res
        .set('Cache-Control', 'public, max-age=3600')
        .type('text/javascript')
        .send(CUSTOMER_PAGE_SCRIPT);
    },
  });

  const page = route({
    method: 'get',
    path: '/t/{token}',
    access: 'signed',
    operationId: 'getCustomerPage',
    tag: 'Customer page',
    summary:
      'A shipment’s page for its customer (HTML): where it is, when it comes, what next, help; the signed link is the credential',
    answer: { description: 'HTML page', contentType: 'text/html' },
    responses: {
      '404': { description: 'Altered or unknown link (HTML page)', contentType: 'text/html' },
      '410': { description: 'Expired link (HTML page)', contentType: 'text/html' },
    },
    handler: async ({ req, res }) => {
      const f = await find(req);
      if (!f.ok) return refuse(req, res, f);
      const model = await loadPageModel(db, deps.estimator, f.row);
      html(res, 200, customerPage(model, context(f.token)));
    },
  });

  const help = route({
    method: 'post',
    path: '/t/{token}/help',
    access: 'signed',
    operationId: 'askCustomerPageHelp',
    tag: 'Customer page',
    summary:
      'A help form of the customer page (not received, delivered but not received, damaged, refund, new address) → an inquiry; the same form sent twice is one inquiry',
    bodyContent: { 'application/x-www-form-urlencoded': helpForm },
    bodyParser: 'raw',
    parsers,
    answer: { description: 'Acknowledgement and next step (HTML page)', contentType: 'text/html' },
    responses: {
      '400': { description: 'Form not valid (HTML page)', contentType: 'text/html' },
      '403': { description: 'Form not from this page (HTML page)', contentType: 'text/html' },
      '404': { description: 'Altered or unknown link', contentType: 'text/html' },
      '410': { description: 'Expired link', contentType: 'text/html' },
      '429': {
        description: 'Too many requests for this link or address',
        contentType: 'text/html',
      },
      '503': {
        description: 'The workflow could not be told; send again',
        contentType: 'text/html',
      },
    },
    handler: async ({ req, res }) => {
      const f = await find(req);
      if (!f.ok) return refuse(req, res, f);
      const locale = f.row.registration.customer.locale;
      const fail = failure(req, res, locale);
      if (limited(req)) return fail(429, 'tooMany');
      const body: unknown = req.body ?? {};
      if (!checkFormToken(f.token, field(body, 'csrf'), keys)) return fail(403, 'formExpired');
      const parsed = helpForm
        .refine((b) => b.kind !== 'change_address' || Boolean(b.address), {
          path: ['address'],
          message: 'the new address is needed',
        })
        .safeParse(body);
      if (!parsed.success) return fail(400, 'formExpired', parsed.error);
      const form = parsed.data;
      const words = form.kind === 'change_address' ? form.address : form.details;
      const inquiryId = `page:${createHash('sha256').update(`${f.row.shipmentId}\u0000${form.nonce}\u0000${form.kind}`).digest('hex').slice(0, 32)}`;
      const model = await loadPageModel(db, deps.estimator, f.row);
      try {
        const outcome = await deps.inquiries.handle(
          f.row,
          {
            inquiryId,
            channel: 'customer_page',
            message: [FORM_HEADLINE[form.kind], words].filter(Boolean).join('\n\n'),
            receivedAt: now().toISOString(),
            locale,
          },
          { intent: FORM_INTENT[form.kind] },
        );
        html(
          res,
          200,
          acknowledgementPage(
            model,
            f.token,
            form.kind,
            outcome.action,
            settings.supportReplyHours,
          ),
        );
      } catch (err) {
        if (!(err instanceof InquirySignalError)) throw err;
        logger.error(
          { err: err.cause, shipmentId: err.shipmentId },
          'customer page inquiry signal failed',
        );
        return fail(503, 'unavailable');
      }
    },
  });

  const chat = route({
    method: 'post',
    path: '/t/{token}/chat',
    access: 'signed',
    operationId: 'askCustomerPageHelper',
    tag: 'Customer page',
    summary:
      'One message to the customer page’s helper: an answer from the shipment’s live state, or a hand-over to a person (an inquiry); the conversation travels in the form',
    bodyContent: { 'application/x-www-form-urlencoded': chatForm },
    bodyParser: 'raw',
    parsers,
    answer: {
      description: 'The page with the answer (HTML), or {answer, intent, handover, state} (JSON)',
      contentType: 'text/html',
    },
    responses: {
      '400': 'Message not valid',
      '403': 'Form not from this page',
      '404': 'Altered or unknown link',
      '410': 'Expired link',
      '429': 'Too many requests for this link or address',
    },
    handler: async ({ req, res }) => {
      const f = await find(req);
      if (!f.ok) return refuse(req, res, f);
      const locale = f.row.registration.customer.locale;
      const { lang } = pageText(locale);
      const json = wantsJson(req);
      const fail = failure(req, res, locale);
      if (limited(req)) return fail(429, 'tooMany');
      const body: unknown = req.body ?? {};
      if (!checkFormToken(f.token, field(body, 'csrf'), keys)) return fail(403, 'formExpired');
      const parsed = chatForm.safeParse(body);
      if (!parsed.success) return fail(400, 'formExpired', parsed.error);
      const state = decodeState(parsed.data.state);
      // The workflow knows the latest (a scan or a decision its snapshot may not have yet); when
      // it cannot answer (closed long ago, Temporal unreachable) the read model does, and the
      // customer is told nothing different.
      const live = deps.workflows ? await deps.workflows.state(f.row.shipmentId) : undefined;
      if (live && !live.ok)
        logger.debug(
          { shipmentId: f.row.shipmentId, reason: live.reason },
          'customer helper: state query failed; answering from the read model',
        );
      const model = await loadPageModel(
        db,
        deps.estimator,
        f.row,
        live?.ok ? live.state : undefined,
      );
      const reply = helperReply(
        parsed.data.q,
        helperFacts(model, now(), settings.supportReplyHours),
        { misses: state.misses },
        lang,
      );
      const turns = [...state.turns, { q: parsed.data.q, a: reply.answer }].slice(-6);
      if (reply.handover) {
        const transcript = turns.map((x) => `Customer: ${x.q}\nHelper: ${x.a}`).join('\n\n');
        try {
          await deps.inquiries.handle(
            f.row,
            {
              inquiryId: `page-chat:${state.cid}:${state.turns.length}`,
              channel: 'customer_page',
              message: `Customer page helper: the customer wants a person.\n\n${transcript}`.slice(
                0,
                10_000,
              ),
              receivedAt: now().toISOString(),
              locale,
            },
            { intent: reply.inquiryIntent ?? 'other' },
          );
        } catch (err) {
          if (!(err instanceof InquirySignalError)) throw err;
          logger.error(
            { err: err.cause, shipmentId: err.shipmentId },
            'customer page handover signal failed',
          );
          return fail(503, 'unavailable');
        }
      }
      const next: ChatState = { cid: state.cid, misses: reply.state.misses, turns };
      if (json)
        return void res
          .status(200)
          .set('Cache-Control', 'no-store')
          .json({
            answer: reply.answer,
            intent: reply.intent,
            language: reply.language,
            handover: reply.handover,
            state: encodeState(next),
          });
      html(res, 200, customerPage(model, context(f.token, next)));
    },
  });

  return [script, page, help, chat];
}
