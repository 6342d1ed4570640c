import type { z } from 'zod';
import type { Db } from '../db/client';
import { decodeCursor, toPage } from '../http/pagination';
import { ProblemError } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { shipmentNotFound } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { shipmentParams } from '../shipments/shipments.schemas';
import { NOTIFICATION_KINDS } from '../../workflows/shipment.contract';
import { communicationLog, compareLogKeys, logKey } from './communication-log';
import {
  communicationLogResponse,
  logCursor,
  logQuery,
  messageListResponse,
  messagesCursor,
  messagesQuery,
  templateBody,
  templateOverrideResponse,
  templateParams,
  templatesCursor,
  templatesQuery,
  templatesResponse,
} from './messages.schemas';
import { messageView } from './messages.view';
import type { OutboxRepository } from './outbox.repository';
import { BUILTIN_LOCALES, chooseTemplate, PLACEHOLDERS, validateTemplate } from './templates';
import type { TemplateRepository } from './templates.repository';

export interface MessagesRoutesDeps {
  db: Db;
  outbox: OutboxRepository;
  templates: TemplateRepository;
  shipments: ShipmentRepository;
}

export function messagesRoutes({
  db,
  outbox,
  templates,
  shipments,
}: MessagesRoutesDeps): RouteSpec[] {
  /** The outbox; `?status=failing` is what ops watch. */
  const messages = route({
    method: 'get',
    path: '/v1/messages',
    access: 'read',
    operationId: 'listMessages',
    tag: 'Messages',
    summary: 'The outbox, newest first; ?status=failing lists messages that keep failing',
    query: messagesQuery,
    answer: { description: '{items, nextCursor}', schema: messageListResponse },
    handler: async ({ query: { cursor, ...q } }) => {
      const beforeId = cursor ? decodeCursor(cursor, messagesCursor)[0] : undefined;
      const rows = await outbox.list({ ...q, limit: q.limit + 1, beforeId });
      const page = toPage(rows, q.limit, (r) => [r.id]);
      return { items: page.items.map((r) => messageView(r)), nextCursor: page.nextCursor };
    },
  });

  /** Chronological; one shipment's log is small, so it is built whole and paged by entry key. */
  const shipmentLog = route({
    method: 'get',
    path: '/v1/shipments/{id}/messages',
    access: 'read',
    operationId: 'getShipmentMessages',
    tag: 'Messages',
    summary:
      'Communication log: messages sent (with delivery status), inquiries and e-mails received, survey answers, oldest first, cursor paging',
    params: shipmentParams,
    query: logQuery,
    answer: { description: '{shipmentId, items, nextCursor}', schema: communicationLogResponse },
    responses: { '404': 'Unknown shipment' },
    handler: async ({ params: { id }, query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, logCursor) : undefined;
      if (!(await shipments.get(id))) throw shipmentNotFound(id);
      const log = await communicationLog(db, outbox, id);
      const rest = after ? log.filter((e) => compareLogKeys(logKey(e), after) > 0) : log;
      const page = toPage(rest.slice(0, q.limit + 1), q.limit, logKey);
      return { shipmentId: id, items: page.items, nextCursor: page.nextCursor };
    },
  });

  /** The overrides are the paged list; kinds, locales and placeholders come on every page. */
  const templateList = route({
    method: 'get',
    path: '/v1/templates',
    access: 'read',
    operationId: 'listTemplates',
    tag: 'Messages',
    summary:
      'Message kinds, built-in languages, allowed placeholders and the seller’s overrides (by kind and locale, cursor paging)',
    query: templatesQuery,
    answer: {
      description: '{kinds, builtinLocales, placeholders, overrides, nextCursor}',
      schema: templatesResponse,
    },
    handler: async ({ query: q }) => {
      const after = q.cursor ? decodeCursor(q.cursor, templatesCursor) : undefined;
      const rows = await templates.list({ limit: q.limit + 1, after });
      const page = toPage(rows, q.limit, (o) => [o.kind, o.locale]);
      return {
        // Copies: the answer's arrays are mutable, the constants are not.
        kinds: [...NOTIFICATION_KINDS],
        builtinLocales: [...BUILTIN_LOCALES],
        placeholders: Object.fromEntries(Object.entries(PLACEHOLDERS).map(([k, v]) => [k, [...v]])),
        overrides: page.items.map((o) => ({
          kind: o.kind,
          locale: o.locale,
          subject: o.subject,
          text: o.text,
          ...(o.html !== null ? { html: o.html } : {}),
          updatedAt: o.updatedAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  });

  /** The template a customer with this locale gets today (override or built-in, after fallback). */
  const effective = route({
    method: 'get',
    path: '/v1/templates/{kind}/{locale}',
    access: 'read',
    operationId: 'getTemplate',
    tag: 'Messages',
    summary: 'The template a customer with this locale gets (override or built-in, after fallback)',
    params: templateParams,
    answer: {
      description: 'The effective template',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    handler: async ({ params: { kind, locale } }) => {
      const chosen = chooseTemplate(kind, locale, await templates.lookupFor(kind));
      return {
        kind,
        locale,
        templateLocale: chosen.locale,
        source: chosen.overridden ? 'override' : 'builtin',
        placeholders: PLACEHOLDERS[kind],
        ...chosen.template,
      };
    },
  });

  const override = route({
    method: 'put',
    path: '/v1/templates/{kind}/{locale}',
    access: 'configure',
    operationId: 'putTemplate',
    tag: 'Messages',
    summary: 'Override a template (admin); an unknown placeholder is refused',
    params: templateParams,
    body: templateBody,
    answer: { description: 'Replaced', schema: templateOverrideResponse },
    responses: {
      '201': { description: 'Created', schema: templateOverrideResponse },
      '400': 'Invalid template (template.invalid names the placeholder)',
    },
    handler: async ({ res, params: { kind, locale }, body }) => {
      const issues = validateTemplate(kind, body);
      if (issues.length) {
        throw new ProblemError(
          400,
          'template.invalid',
          'Template refused',
          `The ${kind} template for ${locale} is refused: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          { errors: issues },
        );
      }
      const { row, created } = await templates.put(kind, locale, body);
      // Two statuses for one shape: sent here rather than returned.
      res.status(created ? 201 : 200).json({
        kind: row.kind,
        locale: row.locale,
        subject: row.subject,
        text: row.text,
        ...(row.html !== null ? { html: row.html } : {}),
        updatedAt: row.updatedAt.toISOString(),
      } satisfies z.input<typeof templateOverrideResponse>);
    },
  });

  /** Deleting an override reverts to the built-in text. */
  const revert = route({
    method: 'delete',
    path: '/v1/templates/{kind}/{locale}',
    access: 'configure',
    operationId: 'deleteTemplate',
    tag: 'Messages',
    summary: 'Remove an override: the built-in text applies again (admin)',
    params: templateParams,
    answer: { status: 204, description: 'Reverted' },
    responses: { '404': 'No override' },
    handler: async ({ res, params: { kind, locale } }) => {
      if (!(await templates.remove(kind, locale))) {
        throw new ProblemError(
          404,
          'template.not_found',
          'No such override',
          `There is no seller override of ${kind} for ${locale}; the built-in text is in use.`,
        );
      }
      res.status(204).end();
    },
  });

  return [messages, shipmentLog, templateList, effective, override, revert];
}
