/**
 * Inquiries that call for a person: which customer request opens a review, and when a
 * delivered-not-received report has been made often enough to open one. Pure rules, unit-tested.
 */
import type { InquiryIntent, InquiryRecord, SuspicionReason } from '../shipment.contract';

/** Intents a review is opened for, with its reason. */
const REVIEW_REASONS: Partial<Record<InquiryIntent, SuspicionReason>> = {
  wants_refund: 'customer_request',
  damaged: 'damaged',
};

/** After delivery these mean "I never got it"; an unclassified inquiry counts too. */
const NOT_RECEIVED: readonly (InquiryIntent | undefined)[] = [
  'not_received',
  'delivered_not_received',
  undefined,
];

const after = (floor: number) => (i: InquiryRecord) => Date.parse(i.receivedAt) > floor;
const floorOf = (...instants: (string | undefined)[]) =>
  Math.max(...instants.map((t) => (t ? Date.parse(t) : -Infinity)));

/** The first inquiry after `since` (and after any review) that asks for a review, with its reason. */
export function requestedReview(
  inquiries: readonly InquiryRecord[],
  reviewedUpTo: string | undefined,
  since?: string,
): { inquiry: InquiryRecord; reason: SuspicionReason } | undefined {
  const floor = floorOf(reviewedUpTo, since);
  for (const inquiry of inquiries.filter(after(floor))) {
    const reason = inquiry.intent && REVIEW_REASONS[inquiry.intent];
    if (reason) return { inquiry, reason };
  }
  return undefined;
}

/**
 * The not-received reports after delivery (and after any review of it), oldest first. The first
 * one is answered by asking the customer to look around; the second opens the review.
 */
export function notReceivedReports(
  inquiries: readonly InquiryRecord[],
  deliveredAt: string,
  reviewedUpTo?: string,
): InquiryRecord[] {
  const floor = floorOf(deliveredAt, reviewedUpTo);
  return inquiries.filter(after(floor)).filter((i) => NOT_RECEIVED.includes(i.intent));
}

/** Reports it takes before a delivered-not-received review opens. */
export const REPORTS_BEFORE_REVIEW = 2;
