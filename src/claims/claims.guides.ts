/**
 * Claim guides per carrier and insurer, as data: where and how to file, the documents asked for,
 * the deadlines (from the claim rules, so the two never disagree), how long a request for
 * information may go unanswered, the appeal window after a denial and how long payment takes.
 * Shown to ops (`GET /v1/claims/{id}` → `guide`, `GET /v1/carriers/{code}/claim-guide`) and read
 * by the claim workflow, through an activity, for its timers. Durations are ISO 8601. Where a
 * carrier publishes no figure the value is our conservative assumption and `notes` says so.
 */
import { selectClaimRule } from '../../workflows/claim.eligibility';
import { CLAIM_RULES, type ClaimRule, type EvidenceItem } from '../../workflows/claim.rules';
import type { ClaimTimings } from '../../workflows/claim.contract';

/** How a claim is filed with one carrier or insurer, and the timings after filing. */
export interface ClaimFiling extends ClaimTimings {
  /** Where: the claims portal or address. */
  where: string;
  /** How: the steps, in a sentence or two. */
  how: string;
  /** Documents beyond our evidence package that the carrier asks for. */
  extraDocuments: string[];
  sources: string[];
  notes?: string;
}

/** Defaults where a carrier publishes nothing: two weeks to answer, 30 days to appeal, 30 to pay. */
const DEFAULT_TIMINGS: ClaimTimings = {
  answerWithin: 'P14D',
  appealWithin: 'P30D',
  paymentWithin: 'P30D',
  remindBefore: 'P3D',
};

export const CLAIM_FILINGS: Record<string, ClaimFiling> = {
  usps: {
    where: 'https://www.usps.com/help/claims.htm (USPS.com account)',
    how: 'File online with the tracking number, proof of value and proof of insurance; international parcels need an inquiry (trace) first.',
    extraDocuments: ['proof of insurance (the label or receipt)'],
    ...DEFAULT_TIMINGS,
    answerWithin: 'P15D',
    appealWithin: 'P30D',
    sources: [
      'https://faq.usps.com/articles/Knowledge/Domestic-Claims-The-Basics',
      'https://faq.usps.com/articles/FAQ/International-Inquiries-The-Basics',
    ],
    notes:
      'USPS takes one appeal within 30 days of the denial; a second goes to the Consumer Advocate.',
  },
  ups: {
    where: 'https://www.ups.com/us/en/support/file-a-claim.page (UPS Claims Dashboard)',
    how: 'File online as the shipper with the tracking number, the merchandise value and a description; answer UPS requests in the dashboard.',
    extraDocuments: ['commercial invoice or sales receipt'],
    ...DEFAULT_TIMINGS,
    answerWithin: 'P10D',
    sources: ['https://icclogistics.com/?p=2738'],
    notes: 'No published appeal window; we assume 30 days.',
  },
  fedex: {
    where: 'https://www.fedex.com/en-us/customer-support/claims.html (FedEx Claims Online)',
    how: 'File online with the tracking number and the invoice; FedEx answers within 5 business days of complete documentation.',
    extraDocuments: ['commercial invoice'],
    ...DEFAULT_TIMINGS,
    sources: ['https://support.shipopti.com/portal/en/kb/articles/parcel-claim-faqs'],
    notes:
      'Appeal window assumed 30 days; FedEx asks for missing documents within its own deadline.',
  },
  dhl: {
    where:
      'https://mydhl.express.dhl/us/en/help-and-support/contact-us/claims.html (MyDHL+ claims)',
    how: 'Open a shipment trace first, then file the claim in writing within 30 days of acceptance, with the commercial invoice.',
    extraDocuments: ['commercial invoice', 'trace reference'],
    ...DEFAULT_TIMINGS,
    answerWithin: 'P7D',
    sources: [
      'https://mydhl.express.dhl/us/en/help-and-support/contact-us/claims/claims-faqs.html',
    ],
  },
  shipsurance: {
    where: 'https://www.shipsurance.com/file-a-claim (insurer portal)',
    how: 'File online with the policy and tracking number, the carrier’s denial or trace result, and proof of value.',
    extraDocuments: ['the carrier’s denial or trace result'],
    ...DEFAULT_TIMINGS,
    appealWithin: 'P60D',
    sources: [
      'https://support.goshippo.com/hc/en-us/articles/204015499-Filing-a-Claim-for-a-Lost-or-Damaged-Shipment',
    ],
  },
  sandbox: {
    where: 'the sandbox carrier API, POST /v1/claims',
    how: 'Filed by Parcelwarden through the carrier interface; answers and appeals through the claim routes.',
    extraDocuments: [],
    ...DEFAULT_TIMINGS,
    sources: [],
  },
  '*': {
    where: 'the carrier’s claims portal or customer service',
    how: 'File in writing with the tracking number, proof of value and the evidence package PDF.',
    extraDocuments: [],
    ...DEFAULT_TIMINGS,
    sources: [],
    notes: 'Conservative defaults for a carrier we have no guide for.',
  },
};

/** What each evidence item is called on a claim form. */
export const EVIDENCE_LABELS: Record<EvidenceItem, string> = {
  order: 'order confirmation',
  payment_reference: 'payment reference',
  declared_value: 'declared value (invoice)',
  label: 'shipping label',
  tracking_history: 'tracking history',
  carrier_trace: 'carrier trace result',
  customer_messages: 'customer messages',
  proof_of_delivery: 'proof of delivery',
};

export interface ClaimGuide {
  code: string;
  name: string;
  party: ClaimRule['party'];
  scope: ClaimRule['scope'];
  deadlines: {
    waitingPeriod: ClaimRule['waitingPeriod'];
    filingWindow: ClaimRule['filingWindow'];
    warnBefore: string;
    answerWithin: string;
    appealWithin: string;
    paymentWithin: string;
  };
  liabilityCap: { amount: number; currency: string };
  traceFirst: boolean;
  requiredDocuments: string[];
  where: string;
  how: string;
  sources: string[];
  notes?: string;
}

/** The filing and timings for a carrier or insurer code (`*` for one we have no guide for). */
export function claimFiling(code: string): ClaimFiling {
  return CLAIM_FILINGS[code.toLowerCase()] ?? CLAIM_FILINGS['*']!;
}

/** The guide for a carrier or insurer, for a domestic or an international parcel. */
export function claimGuide(code: string, domestic: boolean): ClaimGuide {
  const rule = selectClaimRule(CLAIM_RULES, code, domestic);
  const filing = claimFiling(rule.code === '*' ? code : rule.code);
  const notes = [rule.notes, filing.notes].filter(Boolean).join(' ');
  return {
    code: code.toLowerCase(),
    name: rule.name,
    party: rule.party,
    scope: rule.scope,
    deadlines: {
      waitingPeriod: rule.waitingPeriod,
      filingWindow: rule.filingWindow,
      warnBefore: rule.warnBefore,
      answerWithin: filing.answerWithin,
      appealWithin: filing.appealWithin,
      paymentWithin: filing.paymentWithin,
    },
    liabilityCap: { amount: rule.liabilityCap, currency: rule.currency },
    traceFirst: rule.traceFirst,
    requiredDocuments: [...rule.evidence.map((e) => EVIDENCE_LABELS[e]), ...filing.extraDocuments],
    where: filing.where,
    how: filing.how,
    sources: [...new Set([...rule.sources, ...filing.sources])],
    ...(notes ? { notes } : {}),
  };
}
