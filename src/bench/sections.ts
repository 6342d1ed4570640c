/**
 * The sections `npm run bench` runs, in this order (`--only <ids>` picks some). Each section is
 * independent: it creates the shipments it measures and leaves the stack usable for the next.
 * Throughput first (registrations, events), then latency, memory and carrier calls.
 */
import { carrierCallsSection } from './carrier-calls';
import { eventsSection } from './events';
import { latencySection } from './latency';
import { memorySection } from './memory';
import { registrationsSection } from './registrations';
import { searchSection } from './search';
import { shopWebhooksSection } from './shop-webhooks';
import type { BenchSection } from './types';

export const SECTIONS: readonly BenchSection[] = [
  registrationsSection,
  searchSection,
  shopWebhooksSection,
  eventsSection,
  latencySection,
  memorySection,
  carrierCallsSection,
];
