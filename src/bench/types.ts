/**
 * The shapes every benchmark section shares. `npm run bench` (src/bench/main.ts) starts one
 * stack, runs the sections in order, prints each figure beside the limit measured in the same run,
 * and saves the lot as JSON and an SVG chart.
 */
import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import type { MemoryReport } from '../worker-memory';

export interface BenchLimit {
  /** What the figure is measured against, e.g. "raw client.workflow.start on the same server". */
  label: string;
  value: number;
  unit: string;
}

export interface BenchFigure {
  /** Stable id, e.g. "registrations.api". */
  id: string;
  /** Section id the figure belongs to. */
  section: string;
  label: string;
  value: number;
  unit: string;
  /** Higher is better (rates) or lower is better (latency, memory, calls). */
  better: 'higher' | 'lower';
  limit?: BenchLimit;
  /** value / limit.value, set by the runner when a limit is present. */
  ratio?: number;
  /** Anything else worth keeping in the JSON (sample sizes, percentiles, settings). */
  detail?: Record<string, unknown>;
  /** Text printed under the table of the text report (e.g. a breakdown of the figure). */
  notes?: string;
}

export interface BenchWorkerProcess {
  pid: number;
  /** Resident set size of the worker process, from /proc/<pid>/status. */
  rssBytes(): Promise<number>;
  /**
   * Where the worker's memory is (src/worker-memory.ts): asked on its stdin, read from its
   * stdout; with `gc`, also after a full garbage collection (which changes what it holds after).
   */
  memoryReport(opts: { gc: boolean }): Promise<MemoryReport>;
  /** Stops and starts the worker process again (optionally with extra environment). */
  restart(env?: Record<string, string>): Promise<void>;
}

/** The embedded stack the sections run against: every part real, each role in its own process. */
export interface BenchStack {
  apiUrl: string;
  /** An admin key of the API. */
  apiKey: string;
  /** Secret the sandbox webhook route checks (provider `sandbox`). */
  sandboxWebhookSecret: string;
  client: Client;
  database: Database;
  taskQueue: string;
  namespace: string;
  temporalAddress: string;
  sandboxCarrierUrl: string;
  /** API key of the sandbox carrier (its control routes: parcels, scenarios, stats). */
  sandboxCarrierKey: string;
  /** Base URL of the mail sink's HTTP listing. */
  mailViewerUrl: string;
  worker: BenchWorkerProcess;
  dataDir: string;
}

export interface BenchContext {
  /** One line of progress on stderr (long phases report as they go). */
  progress(msg: string): void;
  /** 1 = the published figures (docs/benchmarks.md); smaller for a quick look (BENCH_SCALE). */
  scale: number;
}

export interface BenchSection {
  id: string;
  title: string;
  run(stack: BenchStack, ctx: BenchContext): Promise<BenchFigure[]>;
}
