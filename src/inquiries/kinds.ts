/**
 * What a customer can report from the customer page's help forms, and the intent each becomes:
 * the customer's own choice, so the text rules are not asked to guess it.
 */
import type { InquiryIntent } from '../../workflows/shipment.contract';

export const INQUIRY_KINDS = [
  'not_received',
  'delivered_not_received',
  'damaged',
  'refund_request',
  'address_change',
] as const;
export type InquiryKind = (typeof INQUIRY_KINDS)[number];

const KIND_INTENT: Record<InquiryKind, InquiryIntent> = {
  not_received: 'not_received',
  delivered_not_received: 'delivered_not_received',
  damaged: 'damaged',
  refund_request: 'wants_refund',
  address_change: 'address_change',
};

export function intentOfKind(kind: InquiryKind): InquiryIntent {
  return KIND_INTENT[kind];
}
