import { route, type RouteSpec } from '../http/route';
import { ProblemError } from '../http/problems';
import type { AdviceService } from './advice.service';
import { DEFAULT_SELLER } from './advice.service';
import {
  adviceBody,
  adviceResponse,
  packagingRulesBody,
  packagingRulesResponse,
  sellerParams,
} from './advice.schemas';
import { DEFAULT_PACKAGING_RULES, type PackagingRule } from './packaging';

export function adviceRoutes(advice: AdviceService): RouteSpec[] {
  const advise = route({
    method: 'post',
    path: '/v1/advice',
    access: 'reference',
    operationId: 'getAdvice',
    tag: 'Advice',
    summary:
      'Advice before shipping: the recommended channel with its reason and alternatives, insurance and premium, lane and carrier risk warnings, packaging advice',
    body: adviceBody,
    answer: { description: 'The advice', schema: adviceResponse },
    handler: async ({ body }) => {
      const declaredValue =
        body.declaredValue ?? Math.round(body.items.reduce((n, i) => n + i.value, 0) * 100) / 100;
      return advice.advise(
        {
          origin: body.origin.country,
          destination: body.destination.country,
          items: body.items,
          declaredValue,
          currency: body.currency,
          carrier: body.carrier?.toLowerCase(),
          service: body.service?.toLowerCase(),
          channels: body.channels?.map((c) => ({
            carrier: c.carrier.toLowerCase(),
            service: c.service?.toLowerCase(),
          })),
        },
        body.seller ?? DEFAULT_SELLER,
      );
    },
  });

  const view = async (seller: string) => {
    const own = await advice.settings.get<PackagingRule[]>('packaging_rules', seller);
    if (own)
      return {
        seller,
        version: own.version,
        updatedAt: own.updatedAt.toISOString(),
        rules: own.body,
      };
    const shared =
      seller === DEFAULT_SELLER
        ? undefined
        : await advice.settings.get<PackagingRule[]>('packaging_rules', DEFAULT_SELLER);
    return {
      seller,
      version: shared?.version ?? 0,
      updatedAt: shared?.updatedAt.toISOString() ?? null,
      ...(seller === DEFAULT_SELLER ? {} : { inheritedFrom: DEFAULT_SELLER }),
      rules: shared?.body ?? DEFAULT_PACKAGING_RULES,
    };
  };

  const getRules = route({
    method: 'get',
    path: '/v1/packaging-rules/{seller}',
    access: 'reference',
    operationId: 'getPackagingRules',
    tag: 'Advice',
    summary:
      'Packaging rules of a seller (`default`: the shared ones, which apply to sellers without their own)',
    params: sellerParams,
    answer: { description: 'The rules and their version', schema: packagingRulesResponse },
    handler: ({ params: { seller } }) => view(seller),
  });

  const putRules = route({
    method: 'put',
    path: '/v1/packaging-rules/{seller}',
    access: 'configure',
    operationId: 'putPackagingRules',
    tag: 'Advice',
    summary: 'Replace a seller’s packaging rules (admin); the same rules again make no new version',
    params: sellerParams,
    body: packagingRulesBody,
    answer: { description: 'The stored rules and their version', schema: packagingRulesResponse },
    handler: async ({ params: { seller }, body }) => {
      const { stored } = await advice.settings.put('packaging_rules', seller, body.rules, 'api');
      advice.invalidate();
      return {
        seller,
        version: stored.version,
        updatedAt: stored.updatedAt.toISOString(),
        rules: stored.body,
      };
    },
  });

  return [advise, getRules, putRules];
}

/** A rate-card import that cannot be applied: every problem with its line, nothing imported. */
export function rateImportInvalid(
  errors: { line: number; field: string; message: string }[],
): ProblemError {
  const shown = errors.slice(0, 1000);
  return new ProblemError(
    422,
    'channel_rates.import_invalid',
    'Rate card has invalid lines',
    `${errors.length} problem(s): ${shown
      .slice(0, 5)
      .map((e) => `line ${e.line} ${e.field}: ${e.message}`)
      .join('; ')}${errors.length > 5 ? '; …' : ''}. Nothing was imported.`,
    {
      errors: shown.map((e) => ({
        path: `line.${e.line}.${e.field}`,
        message: `line ${e.line}: ${e.message}`,
      })),
    },
  );
}
