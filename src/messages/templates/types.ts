import type { NotificationKind } from '../../../workflows/shipment.contract';

/** One message template: `{placeholder}` and `{#name}…{/name}` (shown only when name has a value). */
export interface TemplateSource {
  subject: string;
  text: string;
  /** Optional HTML body (seller overrides); when absent the HTML part is built from `text`. */
  html?: string;
}

/** What the customer is told about where the parcel stands (inquiry replies). */
export const CUSTOMER_STATUSES = [
  'in_transit',
  'customs',
  'out_for_delivery',
  'investigating',
  'replacement_sent',
  'refunded',
  /** A refund recorded but not confirmed paid (manual, being sent, or failed). */
  'refund_pending',
  'delivered',
] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** The built-in texts of one language. */
export interface LanguagePack {
  templates: Partial<Record<NotificationKind, TemplateSource>>;
  /** Sentences for `{statusText}`; they may use the placeholders of `inquiry_reply`. */
  statuses: Record<CustomerStatus, string>;
}
