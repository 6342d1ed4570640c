/**
 * Claim rules per carrier and insurer, as data: waiting periods, filing windows, liability caps,
 * whether a trace must come first, and the evidence each asks for. Durations are ISO 8601.
 * Figures from the carriers' and insurers' published claim rules (USPS, UPS, FedEx, DHL Express,
 * Shipsurance); where a source gave no figure the value is our conservative assumption and says
 * so in `notes`.
 */

/** What a waiting period or a filing window is counted from. */
export const CLAIM_ANCHORS = ['shipped', 'expected_delivery'] as const;
export type ClaimAnchor = (typeof CLAIM_ANCHORS)[number];

/** The items an evidence package can hold (notes §5.5). */
export const EVIDENCE_ITEMS = [
  'order',
  'payment_reference',
  'declared_value',
  'label',
  'tracking_history',
  'carrier_trace',
  'customer_messages',
  'proof_of_delivery',
] as const;
export type EvidenceItem = (typeof EVIDENCE_ITEMS)[number];

export interface ClaimRule {
  /** Carrier or insurer code the rule applies to; `*` is the fallback for any other carrier. */
  code: string;
  /** Domestic (origin country = destination country), international, or both. */
  scope: 'domestic' | 'international' | 'any';
  name: string;
  party: 'carrier' | 'insurer';
  /** A loss may be claimed only this long after the anchor. */
  waitingPeriod: { from: ClaimAnchor; duration: string };
  /** The last moment to file, counted from its anchor. */
  filingWindow: { from: ClaimAnchor; duration: string };
  /** Ops are warned this long before the window closes if the claim is not filed by then. */
  warnBefore: string;
  /** What is paid without extra insurance (carrier) or the most a policy covers (insurer). */
  liabilityCap: number;
  currency: string;
  /** The carrier investigates (trace / inquiry) before it takes a loss claim. */
  traceFirst: boolean;
  /** How long we wait for a trace's answer before filing with the trace as it stands. */
  traceAnswerWithin: string;
  /** Follow-up polling of a filed claim: first interval, doubled up to the maximum. */
  followUp: { first: string; max: string };
  evidence: EvidenceItem[];
  sources: string[];
  notes?: string;
}

const FOLLOW_UP = { first: 'P1D', max: 'P7D' };

export const CLAIM_RULES: ClaimRule[] = [
  {
    code: 'usps',
    scope: 'domestic',
    name: 'USPS domestic, insured mail (lost)',
    party: 'carrier',
    waitingPeriod: { from: 'shipped', duration: 'P15D' },
    filingWindow: { from: 'shipped', duration: 'P60D' },
    warnBefore: 'P7D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'payment_reference', 'declared_value', 'label', 'tracking_history'],
    sources: ['https://faq.usps.com/articles/Knowledge/Domestic-Claims-The-Basics'],
  },
  {
    code: 'usps',
    scope: 'international',
    name: 'USPS Priority Mail International (inquiry first)',
    party: 'carrier',
    waitingPeriod: { from: 'shipped', duration: 'P7D' },
    filingWindow: { from: 'shipped', duration: 'P180D' },
    warnBefore: 'P14D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: true,
    traceAnswerWithin: 'P14D',
    followUp: FOLLOW_UP,
    evidence: [
      'order',
      'payment_reference',
      'declared_value',
      'label',
      'tracking_history',
      'carrier_trace',
    ],
    sources: ['https://faq.usps.com/articles/FAQ/International-Inquiries-The-Basics'],
  },
  {
    code: 'ups',
    scope: 'any',
    name: 'UPS non-delivery',
    party: 'carrier',
    waitingPeriod: { from: 'expected_delivery', duration: 'P1D' },
    filingWindow: { from: 'expected_delivery', duration: 'P60D' },
    warnBefore: 'P7D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'declared_value', 'label', 'tracking_history', 'customer_messages'],
    sources: [
      'https://icclogistics.com/?p=2738',
      'https://support.shipopti.com/portal/en/kb/articles/parcel-clai',
    ],
  },
  {
    code: 'fedex',
    scope: 'any',
    name: 'FedEx non-delivery (Express and Ground)',
    party: 'carrier',
    waitingPeriod: { from: 'expected_delivery', duration: 'P2D' },
    filingWindow: { from: 'shipped', duration: 'P270D' },
    warnBefore: 'P14D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'payment_reference', 'declared_value', 'label', 'tracking_history'],
    sources: ['https://support.shipopti.com/portal/en/kb/articles/parcel-claim-faqs'],
    notes: 'No waiting period published; we wait two days past the expected delivery.',
  },
  {
    code: 'dhl',
    scope: 'any',
    name: 'DHL Express loss (trace first)',
    party: 'carrier',
    waitingPeriod: { from: 'shipped', duration: 'P0D' },
    filingWindow: { from: 'shipped', duration: 'P30D' },
    warnBefore: 'P5D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: true,
    traceAnswerWithin: 'P10D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'declared_value', 'label', 'tracking_history', 'carrier_trace'],
    sources: [
      'https://mydhl.express.dhl/us/en/help-and-support/contact-us/claims/claims-faqs.html',
    ],
    notes: 'Liability is per kg under the Terms and Conditions of Carriage; 100 is our floor.',
  },
  {
    code: 'shipsurance',
    scope: 'domestic',
    name: 'Shipsurance shipping protection, domestic loss',
    party: 'insurer',
    waitingPeriod: { from: 'shipped', duration: 'P20D' },
    filingWindow: { from: 'shipped', duration: 'P120D' },
    warnBefore: 'P14D',
    liabilityCap: 5000,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'payment_reference', 'declared_value', 'label', 'tracking_history'],
    sources: [
      'https://support.goshippo.com/hc/en-us/articles/204015499-Filing-a-Claim-for-a-Lost-or-Damaged-Shipment',
    ],
  },
  {
    code: 'shipsurance',
    scope: 'international',
    name: 'Shipsurance shipping protection, international loss',
    party: 'insurer',
    waitingPeriod: { from: 'shipped', duration: 'P40D' },
    filingWindow: { from: 'shipped', duration: 'P120D' },
    warnBefore: 'P14D',
    liabilityCap: 5000,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'payment_reference', 'declared_value', 'label', 'tracking_history'],
    sources: [
      'https://support.goshippo.com/hc/en-us/articles/204015499-Filing-a-Claim-for-a-Lost-or-Damaged-Shipment',
    ],
  },
  {
    code: 'sandbox',
    scope: 'any',
    name: 'Sandbox carrier',
    party: 'carrier',
    waitingPeriod: { from: 'shipped', duration: 'P0D' },
    filingWindow: { from: 'shipped', duration: 'P30D' },
    warnBefore: 'P5D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: ['order', 'declared_value', 'label', 'tracking_history'],
    sources: [],
  },
  {
    code: '*',
    scope: 'any',
    name: 'Any other carrier (conservative default)',
    party: 'carrier',
    waitingPeriod: { from: 'expected_delivery', duration: 'P7D' },
    filingWindow: { from: 'shipped', duration: 'P30D' },
    warnBefore: 'P5D',
    liabilityCap: 100,
    currency: 'USD',
    traceFirst: false,
    traceAnswerWithin: 'P0D',
    followUp: FOLLOW_UP,
    evidence: [
      'order',
      'payment_reference',
      'declared_value',
      'label',
      'tracking_history',
      'customer_messages',
    ],
    sources: [],
    notes: 'The shortest window among the carriers we know (DHL, 30 days), so none is missed.',
  },
];
