import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_REVIEW_WORKFLOW_TYPE } from '../../workflows/batch-review.contract';
import { uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';

// No worker here: batches are started for real, and what they do is the workflow tests' business.
let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

const decision = (shipmentId: string, extra: Record<string, unknown> = {}) => ({
  shipmentId,
  decision: 'refund',
  reviewer: 'ops@seller.example',
  ...extra,
});

const post = (body: unknown, as: 'ops' | 'admin' | 'analyst' | 'ingest' = 'ops') =>
  api.call('POST', '/v1/reviews:batch', { as, body });

describe.concurrent('batch review API', () => {
  it('starts one batch workflow per batch id on the task queue and answers 202 with the total', async () => {
    const batchId = uniqueId('batch');
    const body = { batchId, decisions: [decision('SHP-a'), decision('SHP-b', { note: 'x' })] };
    const res = await post(body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ batchId, workflowId: `batch-review:${batchId}`, total: 2 });
    expect(res.headers.get('location')).toBe(`/v1/reviews:batch/${batchId}`);

    const described = await api.client.workflow.getHandle(`batch-review:${batchId}`).describe();
    expect(described.type).toBe(BATCH_REVIEW_WORKFLOW_TYPE);
    expect(described.taskQueue).toBe(api.taskQueue);

    // The same batch sent again (a client retry) is the same batch; other decisions are refused.
    const again = await post(body, 'admin');
    expect(again.status).toBe(202);
    expect(again.body.workflowId).toBe(`batch-review:${batchId}`);
    const other = await post({ batchId, decisions: [decision('SHP-c')] });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('batch.conflict');
  });

  it('names the batch itself when the client gives no batch id', async () => {
    const res = await post({ decisions: [decision('SHP-z')] });
    expect(res.status).toBe(202);
    expect(res.body.batchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.total).toBe(1);
  });

  it('refuses an empty batch, more than 500 decisions, unknown decisions and a shipment twice, naming the field', async () => {
    const empty = await post({ decisions: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('validation.failed');
    expect(empty.body.errors[0].path).toBe('decisions');

    const tooMany = await post({
      decisions: Array.from({ length: 501 }, (_, i) => decision(`SHP-${i}`)),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe('decisions');

    const unknown = await post({ decisions: [decision('SHP-1', { decision: 'burn' })] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      {
        path: 'decisions.0.decision',
        message: 'must be one of reship, refund, keep_waiting, mark_delivered',
      },
    ]);

    const twice = await post({ decisions: [decision('SHP-1'), decision('SHP-1')] });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([
      {
        path: 'decisions.1.shipmentId',
        message: 'shipment "SHP-1" already has a decision at decisions.0',
      },
    ]);

    const noReviewer = await post({ decisions: [{ shipmentId: 'SHP-1', decision: 'refund' }] });
    expect(noReviewer.status).toBe(400);
    expect(noReviewer.body.errors[0].path).toBe('decisions.0.reviewer');

    const badId = await post({ batchId: 'not ok!', decisions: [decision('SHP-1')] });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].path).toBe('batchId');
  });

  it('lets only ops and admins decide, and answers 404 for a batch that does not exist', async () => {
    const analyst = await post({ decisions: [decision('SHP-1')] }, 'analyst');
    expect(analyst.status).toBe(403);
    expect(analyst.body.code).toBe('auth.forbidden');

    const missing = await api.call('GET', `/v1/reviews:batch/${uniqueId('nope')}`, { as: 'ops' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('batch.not_found');
  });
});
