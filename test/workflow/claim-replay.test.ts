import { describe, expect, it } from 'vitest';
import { CLAIM_CARRY_THROUGH } from '../../workflows/claim/patches';
import { patchesIn, recordedHistoryNames } from '../histories/replay';

/**
 * The claim recordings (test/workflow/claim-paths.test.ts with RECORD_CLAIM_HISTORIES=1) are
 * replayed with every other history by replay.test.ts; here: they are there, one per path, and
 * each took the carry-through patch, so replay covers the patched code.
 */
describe('recorded claim histories', () => {
  const paths = [
    'claim-needs-info-answered',
    'claim-denied-escalated',
    'claim-denied-appealed',
    'claim-appeal-window-closed',
    'claim-payment-overdue',
  ];

  it('each path a claim can take after filing has a recording that took the carry-through patch', async () => {
    expect(await recordedHistoryNames()).toEqual(expect.arrayContaining(paths));
    for (const name of paths) expect(await patchesIn(name), name).toEqual([CLAIM_CARRY_THROUGH]);
  });
});
