import type { Logger } from 'pino';
import { fieldErrors, PROBLEM_BASE, ProblemError } from '../http/problems';
import { withoutBlankOptionals } from '../http/validate';
import { policyNotFound } from '../policies/policies.errors';
import { adviceOrNone } from '../advice/advice.registration';
import type { AdviceService } from '../advice/advice.service';
import type { ShipmentAdviceRecord } from '../advice/advice.types';
import type { PolicyRepository } from '../policies/policies.repository';
import type { ShipmentRegistration, Stage } from '../../workflows/shipment.contract';
import { withCatalogueCarrier } from './shipments.carrier';
import { shipmentConflict, workflowUnavailable } from './shipments.errors';
import type { RegisterOutcome, ShipmentRepository } from './shipments.repository';
import { registrationBody } from './shipments.schemas';
import type { WorkflowGateway } from './shipments.temporal';

/** A problem+json body, as one item's outcome inside a 200 answer. */
export interface ItemProblem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path: string; message: string }[];
  /** carrier.unknown: the closest known codes, and every known code. */
  suggestions?: string[];
  knownCarriers?: string[];
}

export interface BatchItemResult {
  index: number;
  /** Null when the item carries no usable shipment id. */
  shipmentId: string | null;
  /** What POST /v1/shipments would have answered for this item alone. */
  status: 200 | 201 | 409 | 422 | 503;
  workflowId?: string;
  stage?: Stage;
  problem?: ItemProblem;
  /** The advice stored with the shipment (as POST /v1/shipments answers it). */
  advice?: ShipmentAdviceRecord;
}

export interface BatchResult {
  created: number;
  existing: number;
  failed: number;
  results: BatchItemResult[];
}

/** A problem as one item's outcome; field paths are the item's (`shipments.<index>.<field>`). */
function itemProblem(p: ProblemError, index?: number): ItemProblem {
  const errors =
    index === undefined
      ? p.extra.errors
      : p.extra.errors?.map((e) => ({ ...e, path: `shipments.${index}.${e.path}` }));
  return {
    ...p.extra.members,
    type: PROBLEM_BASE + p.code,
    title: p.title,
    status: p.status,
    detail: p.detail,
    code: p.code,
    ...(errors ? { errors } : {}),
  };
}

function invalidItem(index: number, errors: { path: string; message: string }[]): ItemProblem {
  return {
    type: `${PROBLEM_BASE}validation.failed`,
    title: 'Validation failed',
    status: 422,
    detail: `Shipment ${index} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    code: 'validation.failed',
    errors,
  };
}

export interface BatchDeps {
  shipments: Pick<ShipmentRepository, 'registerMany'>;
  policies: Pick<PolicyRepository, 'exists'>;
  workflows: Pick<WorkflowGateway, 'start'>;
  advice?: Pick<AdviceService, 'forRegistration'>;
  logger: Logger;
}

/**
 * Registers a batch whose items are independent: each gets the answer POST /v1/shipments would
 * give it alone. Items are validated first, each policy is looked up once, the rows go in with
 * one multi-row insert, and the workflows of new and repeated items are started (again: a repeat
 * may follow a start that failed) in one wave: every start in flight at once (at most 500, the
 * batch's limit), so the batch takes as long as its slowest start rather than a queue of them.
 */
export async function registerBatch(
  deps: BatchDeps,
  items: readonly unknown[],
): Promise<BatchResult> {
  const results: BatchItemResult[] = items.map((item, index) => ({
    index,
    shipmentId: rawShipmentId(item),
    status: 422,
  }));

  const valid: { index: number; registration: ShipmentRegistration }[] = [];
  items.forEach((item, index) => {
    const parsed = registrationBody.safeParse(
      withoutBlankOptionals(registrationBody, item, 'json'),
    );
    if (parsed.success) {
      try {
        valid.push({ index, registration: withCatalogueCarrier(parsed.data) });
      } catch (err) {
        if (!(err instanceof ProblemError)) throw err;
        results[index]!.problem = itemProblem(err, index);
      }
      return;
    }
    const errors = fieldErrors(parsed.error, 'item').map((e) => ({
      ...e,
      path: e.path === 'item' ? `shipments.${index}` : `shipments.${index}.${e.path}`,
    }));
    results[index]!.problem = invalidItem(index, errors);
  });

  const names = [...new Set(valid.map((v) => v.registration.policy))];
  const known = new Set(
    (
      await Promise.all(names.map(async (n) => ((await deps.policies.exists(n)) ? n : null)))
    ).filter((n): n is string => n !== null),
  );
  const registrable = valid.filter(({ index, registration }) => {
    if (known.has(registration.policy)) return true;
    results[index]!.problem = itemProblem(policyNotFound(registration.policy, 422));
    return false;
  });

  // Cached figures: one load at most for the whole batch, then in memory per item.
  const advice = await Promise.all(
    registrable.map((r) => adviceOrNone(deps.advice, r.registration, deps.logger)),
  );
  const outcomes: RegisterOutcome[] = await deps.shipments.registerMany(
    registrable.map((r) => r.registration),
    advice,
  );
  const toStart: { index: number; outcome: Extract<RegisterOutcome, { row: unknown }> }[] = [];
  outcomes.forEach((outcome, k) => {
    const { index } = registrable[k]!;
    if (outcome.kind === 'conflict') {
      results[index]!.status = 409;
      results[index]!.problem = itemProblem(shipmentConflict(outcome.detail));
    } else {
      toStart.push({ index, outcome });
    }
  });

  let startFailures = 0;
  await Promise.all(
    toStart.map(async ({ index, outcome }) => {
      const { row } = outcome;
      const result = results[index]!;
      try {
        // registeredAt from the row: every retry sends the same workflow input.
        await deps.workflows.start(row.registration, row.createdAt.toISOString());
      } catch (err) {
        if (startFailures++ === 0)
          deps.logger.error(
            { err, shipmentId: row.shipmentId },
            'workflow start failed in a batch',
          );
        result.status = 503;
        result.problem = itemProblem(
          workflowUnavailable(
            `Shipment "${row.shipmentId}" is recorded but its workflow could not be started; send the same item again.`,
          ),
        );
        return;
      }
      result.status = outcome.kind === 'created' ? 201 : 200;
      result.workflowId = row.workflowId;
      result.stage = row.stage as Stage;
      if (row.advice) result.advice = row.advice;
      if (row.advice) result.advice = row.advice;
    }),
  );
  if (startFailures > 1)
    deps.logger.error({ failures: startFailures }, 'workflow starts failed in a batch');

  const created = results.filter((r) => r.status === 201).length;
  const existing = results.filter((r) => r.status === 200).length;
  return { created, existing, failed: results.length - created - existing, results };
}

function rawShipmentId(item: unknown): string | null {
  if (typeof item !== 'object' || item === null || !('shipmentId' in item)) return null;
  const id = item.shipmentId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}
