import { Router } from 'express';
import type { Db } from '../db/client';
import { requirePermission } from '../http/auth';
import { decodeCursor, toPage } from '../http/pagination';
import { ProblemError } from '../http/problems';
import { parseBody, parseParams, parseQuery } from '../http/validate';
import { shipmentNotFound } from '../shipments/shipments.errors';
import type { ShipmentRepository } from '../shipments/shipments.repository';
import { shipmentParams } from '../shipments/shipments.schemas';
import { NOTIFICATION_KINDS } from '../../workflows/shipment.contract';
import { communicationLog, compareLogKeys, logKey } from './communication-log';
import {
  logCursor,
  logQuery,
  messagesCursor,
  messagesQuery,
  templateBody,
  templateParams,
  templatesCursor,
  templatesQuery,
} from './messages.schemas';
import { messageView } from './messages.view';
import type { OutboxRepository } from './outbox.repository';
import { BUILTIN_LOCALES, chooseTemplate, PLACEHOLDERS, validateTemplate } from './templates';
import type { TemplateRepository } from './templates.repository';

export interface MessagesRouterDeps {
  db: Db;
  outbox: OutboxRepository;
  templates: TemplateRepository;
  shipments: ShipmentRepository;
}

export function messagesRouter({ db, outbox, templates, shipments }: MessagesRouterDeps) {
  const router = Router();

  /** The outbox; `?status=failing` is what ops watch. */
  router.get('/v1/messages', requirePermission('read'), async (req, res) => {
    const { cursor, ...q } = parseQuery(req, messagesQuery);
    const beforeId = cursor ? decodeCursor(cursor, messagesCursor)[0] : undefined;
    const rows = await outbox.list({ ...q, limit: q.limit + 1, beforeId });
    const page = toPage(rows, q.limit, (r) => [r.id]);
    res.json({ items: page.items.map((r) => messageView(r)), nextCursor: page.nextCursor });
  });

  /** Chronological; one shipment's log is small, so it is built whole and paged by entry key. */
  router.get('/v1/shipments/:id/messages', requirePermission('read'), async (req, res) => {
    const { id } = parseParams(req, shipmentParams);
    const q = parseQuery(req, logQuery);
    const after = q.cursor ? decodeCursor(q.cursor, logCursor) : undefined;
    if (!(await shipments.get(id))) throw shipmentNotFound(id);
    const log = await communicationLog(db, outbox, id);
    const rest = after ? log.filter((e) => compareLogKeys(logKey(e), after) > 0) : log;
    const page = toPage(rest.slice(0, q.limit + 1), q.limit, logKey);
    res.json({ shipmentId: id, items: page.items, nextCursor: page.nextCursor });
  });

  /** The overrides are the paged list; kinds, locales and placeholders come on every page. */
  router.get('/v1/templates', requirePermission('read'), async (req, res) => {
    const q = parseQuery(req, templatesQuery);
    const after = q.cursor ? decodeCursor(q.cursor, templatesCursor) : undefined;
    const rows = await templates.list({ limit: q.limit + 1, after });
    const page = toPage(rows, q.limit, (o) => [o.kind, o.locale]);
    res.json({
      kinds: NOTIFICATION_KINDS,
      builtinLocales: BUILTIN_LOCALES,
      placeholders: PLACEHOLDERS,
      overrides: page.items.map((o) => ({
        kind: o.kind,
        locale: o.locale,
        subject: o.subject,
        text: o.text,
        ...(o.html !== null ? { html: o.html } : {}),
        updatedAt: o.updatedAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    });
  });

  /** The template a customer with this locale gets today (override or built-in, after fallback). */
  router.get('/v1/templates/:kind/:locale', requirePermission('read'), async (req, res) => {
    const { kind, locale } = parseParams(req, templateParams);
    const chosen = chooseTemplate(kind, locale, await templates.lookupFor(kind));
    res.json({
      kind,
      locale,
      templateLocale: chosen.locale,
      source: chosen.overridden ? 'override' : 'builtin',
      placeholders: PLACEHOLDERS[kind],
      ...chosen.template,
    });
  });

  router.put('/v1/templates/:kind/:locale', requirePermission('configure'), async (req, res) => {
    const { kind, locale } = parseParams(req, templateParams);
    const body = parseBody(req, templateBody);
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
    res.status(created ? 201 : 200).json({
      kind: row.kind,
      locale: row.locale,
      subject: row.subject,
      text: row.text,
      ...(row.html !== null ? { html: row.html } : {}),
      updatedAt: row.updatedAt.toISOString(),
    });
  });

  /** Deleting an override reverts to the built-in text. */
  router.delete('/v1/templates/:kind/:locale', requirePermission('configure'), async (req, res) => {
    const { kind, locale } = parseParams(req, templateParams);
    if (!(await templates.remove(kind, locale))) {
      throw new ProblemError(
        404,
        'template.not_found',
        'No such override',
        `There is no seller override of ${kind} for ${locale}; the built-in text is in use.`,
      );
    }
    res.status(204).end();
  });

  return router;
}
