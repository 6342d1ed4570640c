import { msToTs } from '@temporalio/common/lib/time';
import { describe, expect, it } from 'vitest';
import { businessTimeline, type HistoryEvent } from '../../src/history/history.timeline';
import { CLAIM_WORKFLOW_TYPE } from '../../workflows/claim.contract';
import { SHIPMENT_WORKFLOW_TYPE } from '../../workflows/shipment.contract';

const noDecoding = {
  payloads: () => Promise.resolve([]),
  searchAttribute: () => undefined,
};

const childStarted = (eventId: number, type: string, workflowId: string): HistoryEvent =>
  ({
    eventId,
    eventTime: msToTs(Date.UTC(2026, 0, 1) + eventId * 1000),
    startChildWorkflowExecutionInitiatedEventAttributes: {
      workflowType: { name: type },
      workflowId,
    },
  }) as unknown as HistoryEvent;

describe('the shipment history names its child workflows', () => {
  it('a claim workflow is a claim, a shipment workflow the replacement', async () => {
    const entries = await businessTimeline(
      [
        {
          runId: 'run-1',
          events: [
            childStarted(1, SHIPMENT_WORKFLOW_TYPE, 'shipment:S-1~R1'),
            childStarted(2, CLAIM_WORKFLOW_TYPE, 'claim:S-1'),
          ],
        },
      ],
      noDecoding,
    );
    expect(entries.map((e) => e.summary)).toEqual([
      'Replacement watched by workflow shipment:S-1~R1',
      'Claim followed by workflow claim:S-1',
    ]);
  });
});
