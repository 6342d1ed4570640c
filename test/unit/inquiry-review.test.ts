import { describe, expect, it } from 'vitest';
import { notReceivedReports, requestedReview } from '../../workflows/shipment/inquiry-review';

const at = (s: string) => `2026-03-0${s}T10:00:00.000Z`;

describe('inquiries that call for a person', () => {
  it('a refund demand asks for a customer_request review and a damaged report for a damaged one', () => {
    expect(
      requestedReview([{ inquiryId: 'a', receivedAt: at('2'), intent: 'where_is_it' }], undefined),
    ).toBeUndefined();
    expect(
      requestedReview([{ inquiryId: 'r', receivedAt: at('2'), intent: 'wants_refund' }], undefined),
    ).toMatchObject({ reason: 'customer_request', inquiry: { inquiryId: 'r' } });
    expect(
      requestedReview([{ inquiryId: 'd', receivedAt: at('2'), intent: 'damaged' }], undefined),
    ).toMatchObject({ reason: 'damaged' });
  });

  it('a request ops already reviewed (or from before the delivery) asks for nothing again', () => {
    const refund = { inquiryId: 'r', receivedAt: at('2'), intent: 'wants_refund' as const };
    expect(requestedReview([refund], at('3'))).toBeUndefined();
    expect(requestedReview([refund], undefined, at('3'))).toBeUndefined();
  });

  it('counts not-received reports after the delivery only, unclassified ones included', () => {
    const reports = notReceivedReports(
      [
        { inquiryId: 'before', receivedAt: at('1'), intent: 'not_received' },
        { inquiryId: 'where', receivedAt: at('3'), intent: 'where_is_it' },
        { inquiryId: 'one', receivedAt: at('3'), intent: 'delivered_not_received' },
        { inquiryId: 'two', receivedAt: at('4') },
      ],
      at('2'),
    );
    expect(reports.map((i) => i.inquiryId)).toEqual(['one', 'two']);
  });
});
