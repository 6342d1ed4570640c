import express from 'express';
import { z } from 'zod';
import { ProblemError } from '../http/problems';
import { BODY_LIMIT, route, type RouteSpec } from '../http/route';
import { parseBody } from '../http/validate';
import { rateImportInvalid } from '../advice/advice.routes';
import type { AdviceService } from '../advice/advice.service';
import type { VersionedPolicy, VersionedRateCard } from './channel-settings';
import {
  channelPolicyBody,
  channelPolicyResponse,
  rateCardBody,
  rateCardResponse,
  rateImportResponse,
  settingVersionsQuery,
} from './channels.schemas';
import { parseRateCardCsv } from './rate-card.csv';

/** A carrier's whole rate card of a few thousand lines stays far below this. */
const CSV_LIMIT = '2mb';
const CSV_TYPES = ['text/csv', 'application/csv'];

const policyView = (p: VersionedPolicy) => ({
  version: p.version,
  updatedAt: p.updatedAt?.toISOString() ?? null,
  policy: p.policy,
});
const cardView = (c: VersionedRateCard) => ({
  version: c.version,
  updatedAt: c.updatedAt?.toISOString() ?? null,
  rates: c.rates,
});

const versionsResponse = (item: z.ZodType) =>
  z.object({
    items: z.array(
      z.object({ version: z.number(), updatedAt: z.string(), source: z.string(), body: item }),
    ),
  });

/**
 * /v1/channel-policy and /v1/channel-rates: the rules and prices reships and advice choose
 * channels by, versioned; every change drops the advice cache so the next advice uses it.
 */
export function channelsRoutes(advice: AdviceService): RouteSpec[] {
  const { channels, settings } = advice;

  const getPolicy = route({
    method: 'get',
    path: '/v1/channel-policy',
    access: 'read',
    operationId: 'getChannelPolicy',
    tag: 'Channels',
    summary: 'The channel policy reships and advice use (version 0: the built-in default)',
    answer: { description: 'The policy and its version', schema: channelPolicyResponse },
    handler: async () => policyView(await channels.policy()),
  });

  const putPolicy = route({
    method: 'put',
    path: '/v1/channel-policy',
    access: 'configure',
    operationId: 'putChannelPolicy',
    tag: 'Channels',
    summary: 'Replace the channel policy (admin); the same content again makes no new version',
    body: channelPolicyBody,
    answer: { description: 'The stored policy and its version', schema: channelPolicyResponse },
    handler: async ({ body }) => {
      const stored = await channels.putPolicy(body);
      advice.invalidate();
      return policyView(stored);
    },
  });

  const policyVersions = route({
    method: 'get',
    path: '/v1/channel-policy/versions',
    access: 'read',
    operationId: 'listChannelPolicyVersions',
    tag: 'Channels',
    summary: 'Every stored version of the channel policy, oldest first',
    query: settingVersionsQuery,
    answer: { description: '{items}', schema: versionsResponse(channelPolicyBody) },
    handler: async ({ query: q }) => ({
      items: (await settings.versions('channel_policy', 'default', q)).map((v) => ({
        version: v.version,
        updatedAt: v.updatedAt.toISOString(),
        source: v.source ?? 'api',
        body: v.body,
      })),
    }),
  });

  const getRates = route({
    method: 'get',
    path: '/v1/channel-rates',
    access: 'read',
    operationId: 'getChannelRates',
    tag: 'Channels',
    summary: 'The rate card: postage and days per carrier, service and lane (`*`: any country)',
    answer: { description: 'The rates and the card version', schema: rateCardResponse },
    handler: async () => cardView(await channels.rateCard()),
  });

  const putRates = route({
    method: 'put',
    path: '/v1/channel-rates',
    access: 'configure',
    operationId: 'putChannelRates',
    tag: 'Channels',
    summary:
      'Replace the rates of the carriers in the body (admin), others kept; a new version unless nothing changes',
    body: rateCardBody,
    answer: { description: 'The stored rates and the card version', schema: rateCardResponse },
    handler: async ({ body }) => {
      // As an import: the carriers in the body get exactly these rows, the others keep theirs.
      const carriers = [...new Set(body.rates.map((r) => r.carrier))];
      const { card } = await channels.putRates(body.rates, 'api', carriers);
      advice.invalidate();
      return cardView(card);
    },
  });

  const importRates = route({
    method: 'post',
    path: '/v1/channel-rates:import',
    access: 'configure',
    operationId: 'importChannelRates',
    tag: 'Channels',
    summary:
      'Import a carrier’s rate card as CSV (carrier,service,origin_country,destination_country,service_days,postage,currency[,insurable]): the rows of the carriers in the file replace theirs; all lines or none',
    bodyContent: { 'text/csv': { type: 'string' }, 'application/json': rateCardBody },
    bodyParser: 'raw',
    parsers: [
      express.text({ type: CSV_TYPES, limit: CSV_LIMIT }),
      express.json({ limit: BODY_LIMIT }),
    ],
    answer: {
      description: '{version, changed, carriers, rows, total}',
      schema: rateImportResponse,
    },
    responses: {
      '415': 'Not text/csv',
      '422': 'Invalid lines (errors[].path = line.<n>.<column>); nothing imported',
    },
    handler: async ({ req }) => {
      let parsed: ReturnType<typeof parseRateCardCsv>;
      if (req.is('application/json'))
        parsed = { ok: true, rows: parseBody(req, rateCardBody).rates };
      else if (!req.is(CSV_TYPES))
        throw new ProblemError(
          415,
          'request.unsupported_media_type',
          'Unsupported media type',
          'Send the rate card as text/csv with the header carrier,service,origin_country,destination_country,service_days,postage,currency[,insurable].',
        );
      else parsed = parseRateCardCsv(typeof req.body === 'string' ? req.body : '');
      if (!parsed.ok) throw rateImportInvalid(parsed.errors);
      const carriers = [...new Set(parsed.rows.map((r) => r.carrier))].sort();
      const { card, changed } = await channels.putRates(parsed.rows, 'csv', carriers);
      advice.invalidate();
      return {
        version: card.version,
        changed,
        carriers,
        rows: parsed.rows.length,
        total: card.rates.length,
      };
    },
  });

  const rateVersions = route({
    method: 'get',
    path: '/v1/channel-rates/versions',
    access: 'read',
    operationId: 'listChannelRateVersions',
    tag: 'Channels',
    summary: 'Every stored version of the rate card, oldest first, with its source (api or csv)',
    query: settingVersionsQuery,
    answer: { description: '{items}', schema: versionsResponse(rateCardBody.shape.rates) },
    handler: async ({ query: q }) => ({
      items: (await settings.versions('rate_card', 'default', q)).map((v) => ({
        version: v.version,
        updatedAt: v.updatedAt.toISOString(),
        source: v.source ?? 'api',
        body: v.body,
      })),
    }),
  });

  return [getPolicy, putPolicy, policyVersions, getRates, putRates, importRates, rateVersions];
}
