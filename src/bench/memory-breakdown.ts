/**
 * Where the worker's resident memory is, from its memory report (src/worker-memory.ts): the V8
 * heaps (main thread and worker threads, where the workflow sandbox runs), memory outside them
 * that V8 knows of (external, array buffers included), and the native rest that neither accounts
 * for (the SDK's Rust core, malloc, code and libraries): RSS minus the committed heaps and
 * external. The smaps totals split RSS into anonymous and file-backed pages.
 */
import type { MemoryReport, MemorySnapshot, ThreadHeap } from '../worker-memory';

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

export interface MemoryBreakdown {
  rssMb: number;
  mainHeapUsedMb: number;
  /** Committed (heapTotal). */
  mainHeapTotalMb: number;
  /** The SDK's workflow thread: the sandbox with the sticky cache's workflows. */
  workflowHeapUsedMb: number;
  workflowHeapTotalMb: number;
  /** Any other worker thread (under tsx, Node's module loader thread). */
  otherThreadsHeapUsedMb: number;
  otherThreadsHeapTotalMb: number;
  /** process.memoryUsage().external, which includes arrayBuffers. */
  externalMb: number;
  arrayBuffersMb: number;
  /** RSS − main heapTotal − worker threads' heap totals − external. */
  nativeRestMb: number;
  /** From /proc/<pid>/smaps_rollup; null when unreadable. */
  anonymousMb: number | null;
  /** smaps Rss − Anonymous: the binary, libraries and other mapped files. */
  fileBackedMb: number | null;
}

/** The SDK runs workflows in threads started from its workflow-worker-thread module. */
const isWorkflowThread = (t: ThreadHeap) => t.url.includes('workflow-worker-thread');

export function memoryBreakdown(s: MemorySnapshot): MemoryBreakdown {
  const m = s.memoryUsage;
  const threads = s.threads ?? [];
  const sum = (list: typeof threads, key: 'usedSize' | 'totalSize') =>
    list.reduce((total, t) => total + t[key], 0);
  const workflow = threads.filter(isWorkflowThread);
  const others = threads.filter((t) => !isWorkflowThread(t));
  const threadTotal = sum(threads, 'totalSize');
  const smapsRss = s.smaps?.Rss;
  const anonymous = s.smaps?.Anonymous;
  return {
    rssMb: mb(m.rss),
    mainHeapUsedMb: mb(m.heapUsed),
    mainHeapTotalMb: mb(m.heapTotal),
    workflowHeapUsedMb: mb(sum(workflow, 'usedSize')),
    workflowHeapTotalMb: mb(sum(workflow, 'totalSize')),
    otherThreadsHeapUsedMb: mb(sum(others, 'usedSize')),
    otherThreadsHeapTotalMb: mb(sum(others, 'totalSize')),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    nativeRestMb: mb(m.rss - m.heapTotal - threadTotal - m.external),
    anonymousMb: anonymous === undefined ? null : mb(anonymous),
    fileBackedMb:
      smapsRss === undefined || anonymous === undefined ? null : mb(smapsRss - anonymous),
  };
}

export interface BreakdownPoint {
  /** e.g. "idle", "1000". */
  label: string;
  cachedWorkflows: number | null;
  asFound: MemoryBreakdown;
  /** Only where the report was asked with a garbage collection. */
  afterGc: MemoryBreakdown | null;
  /** Threads whose heaps were read, by inspector title (for the JSON). */
  threads: string[];
  threadsError?: string;
}

export function breakdownPoint(label: string, report: MemoryReport): BreakdownPoint {
  return {
    label,
    cachedWorkflows: report.cachedWorkflows,
    asFound: memoryBreakdown(report.asFound),
    afterGc: report.afterGc ? memoryBreakdown(report.afterGc) : null,
    threads: (report.asFound.threads ?? []).map((t) => `${t.title} ${t.url}`.trim()),
    ...(report.asFound.threadsError ? { threadsError: report.asFound.threadsError } : {}),
  };
}

const ROWS: [keyof MemoryBreakdown, string][] = [
  ['rssMb', 'RSS'],
  ['mainHeapUsedMb', 'V8 heap used, main thread'],
  ['mainHeapTotalMb', 'V8 heap committed, main thread'],
  ['workflowHeapUsedMb', 'V8 heap used, workflow thread'],
  ['workflowHeapTotalMb', 'V8 heap committed, workflow thread'],
  ['otherThreadsHeapUsedMb', 'V8 heap used, other threads'],
  ['otherThreadsHeapTotalMb', 'V8 heap committed, other threads'],
  ['externalMb', 'external (array buffers included)'],
  ['arrayBuffersMb', '  of which array buffers'],
  ['nativeRestMb', 'native rest (RSS − heaps committed − external)'],
  ['anonymousMb', 'anonymous pages (smaps)'],
  ['fileBackedMb', 'file-backed pages (smaps)'],
];

/**
 * A plain-text table: one column per point, then the growth from each point to the next; the
 * figures as found, then after a full garbage collection (— where it was not taken). In MB,
 * cached workflows as a count.
 */
export function formatBreakdown(points: BreakdownPoint[]): string {
  const deltas = points.slice(1).map((p, i) => ({ from: points[i]!, to: p }));
  const header = [
    'Worker memory, MB',
    ...points.map((p) => p.label),
    ...deltas.map((d) => `${d.to.label} − ${d.from.label}`),
  ];
  const num = (n: number | null) => (n === null ? '—' : n.toFixed(1));
  const diff = (a: number | null, b: number | null) =>
    a === null || b === null ? '—' : `${b - a >= 0 ? '+' : ''}${(b - a).toFixed(1)}`;
  const rows: string[][] = [header];
  for (const when of ['asFound', 'afterGc'] as const) {
    if (!points.some((p) => p[when])) continue;
    rows.push([when === 'asFound' ? 'as found' : 'after a full GC of every thread']);
    for (const [key, label] of ROWS) {
      rows.push([
        `  ${label}`,
        ...points.map((p) => num(p[when]?.[key] ?? null)),
        ...deltas.map((d) => diff(d.from[when]?.[key] ?? null, d.to[when]?.[key] ?? null)),
      ]);
    }
  }
  rows.push([
    'cached workflows',
    ...points.map((p) => (p.cachedWorkflows === null ? '—' : String(p.cachedWorkflows))),
    ...deltas.map(() => ''),
  ]);
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r.length === 1
        ? r[0]!
        : r
            .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
            .join('  ')
            .trimEnd(),
    )
    .join('\n');
}
