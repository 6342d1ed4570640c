/**
 * The worker's memory report (WORKER_MEMORY_REPORT=true, set by the bench only): on a line
 * `memory-report` on its stdin, or on SIGUSR2, the worker prints one line, `MEMORY_REPORT_PREFIX`
 * then JSON, saying where its memory is: the
 * process's figures (process.memoryUsage), the main thread's V8 heap by space, the V8 heap of
 * each worker thread (the workflow sandbox runs in one), the sticky cache's workflow count and
 * the kernel's totals (/proc/self/smaps_rollup). It is taken as found and, when asked
 * (`memory-report gc`, and always on SIGUSR2), again after a full garbage collection of every
 * thread, so what is garbage and what is kept can be told apart. The collection changes what
 * the process holds from then on, so a measurement that goes on asks for it only at its end.
 * Worker threads are reached through the inspector (NodeWorker domain): their heaps are not in
 * this thread's process.memoryUsage().
 */
import fs from 'node:fs/promises';
import inspector from 'node:inspector';
import readline from 'node:readline';
import v8 from 'node:v8';
import { z } from 'zod';

export const MEMORY_REPORT_PREFIX = 'parcelwarden-worker-memory ';
export const MEMORY_REPORT_SIGNAL = 'SIGUSR2';
/** The stdin line asking for a report; followed by ` gc` for the collected figures too. */
export const MEMORY_REPORT_REQUEST = 'memory-report';
/** How long one thread may take to answer before the report goes on without it. */
const THREAD_TIMEOUT_MS = 10_000;

const bytes = z.number().nonnegative();

const threadHeapSchema = z.object({
  /** The inspector's title of the thread, e.g. "[worker 1]". */
  title: z.string(),
  url: z.string(),
  usedSize: bytes,
  totalSize: bytes,
});

const snapshotSchema = z.object({
  memoryUsage: z.object({
    rss: bytes,
    heapTotal: bytes,
    heapUsed: bytes,
    external: bytes,
    arrayBuffers: bytes,
  }),
  /** The main thread's heap spaces, by name: size (committed), used, physical. */
  heapSpaces: z.record(z.string(), z.object({ size: bytes, used: bytes, physical: bytes })),
  /** Worker threads' V8 heaps; null when the inspector could not reach them. */
  threads: z.array(threadHeapSchema).nullable(),
  threadsError: z.string().optional(),
  /** /proc/self/smaps_rollup in bytes by field (Rss, Anonymous, ...); null off Linux. */
  smaps: z.record(z.string(), bytes).nullable(),
});

export const memoryReportSchema = z.object({
  at: z.string(),
  pid: z.number().int(),
  /** Workflows in the sticky cache (Worker.getStatus()); null when there is no worker yet. */
  cachedWorkflows: z.number().int().nonnegative().nullable(),
  asFound: snapshotSchema,
  /** After HeapProfiler.collectGarbage in the main thread and in every worker thread; null when not asked. */
  afterGc: snapshotSchema.nullable(),
});

export type MemorySnapshot = z.infer<typeof snapshotSchema>;
export type MemoryReport = z.infer<typeof memoryReportSchema>;
export type ThreadHeap = z.infer<typeof threadHeapSchema>;

export function formatMemoryReportLine(report: MemoryReport): string {
  return `${MEMORY_REPORT_PREFIX}${JSON.stringify(report)}`;
}

/** The report in a line of the worker's output, or undefined when the line is something else. */
export function parseMemoryReportLine(line: string): MemoryReport | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith(MEMORY_REPORT_PREFIX)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(trimmed.slice(MEMORY_REPORT_PREFIX.length));
  } catch {
    throw new Error(`memory report: not JSON after the prefix: ${trimmed.slice(0, 120)}`);
  }
  const parsed = memoryReportSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`memory report: unexpected shape: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** /proc/<pid>/smaps_rollup as bytes by field ("Rss:  1234 kB" → Rss: 1263616). */
export function parseSmapsRollup(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)\s+kB$/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]) * 1024;
  }
  return out;
}

async function smapsRollup(): Promise<Record<string, number> | null> {
  try {
    return parseSmapsRollup(await fs.readFile('/proc/self/smaps_rollup', 'utf8'));
  } catch {
    return null;
  }
}

/** An inspector session of this process, with its worker threads attached. */
class ThreadProbe {
  private readonly session = new inspector.Session();
  private readonly workers: { sessionId: string; title: string; url: string }[] = [];
  private readonly pending = new Map<
    number,
    (msg: { result?: unknown; error?: unknown }) => void
  >();
  private nextId = 1;

  private post<T = unknown>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => {
      this.session.post(method, params, (err, result) =>
        err ? reject(err) : resolve(result as T),
      );
    });
  }

  async open(): Promise<void> {
    this.session.connect();
    this.session.on('NodeWorker.attachedToWorker', (m) => {
      const p = m.params as {
        sessionId: string;
        workerInfo: { title: string; url: string };
      };
      this.workers.push({
        sessionId: p.sessionId,
        title: p.workerInfo.title,
        url: p.workerInfo.url,
      });
    });
    this.session.on('NodeWorker.receivedMessageFromWorker', (m) => {
      const msg = JSON.parse((m.params as { message: string }).message) as {
        id?: number;
        result?: unknown;
        error?: unknown;
      };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg);
    });
    await this.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
  }

  /** Sends one inspector command to every worker thread; threads that do not answer are left out. */
  private async toThreads<T>(method: string): Promise<{ title: string; url: string; result: T }[]> {
    return (
      await Promise.all(
        this.workers.map(async (w) => {
          const id = this.nextId++;
          let timer: NodeJS.Timeout | undefined;
          const answer = new Promise<{ result?: unknown; error?: unknown } | undefined>(
            (resolve) => {
              this.pending.set(id, resolve);
              timer = setTimeout(() => resolve(undefined), THREAD_TIMEOUT_MS);
            },
          );
          await this.post('NodeWorker.sendMessageToWorker', {
            sessionId: w.sessionId,
            message: JSON.stringify({ id, method }),
          });
          const msg = await answer;
          clearTimeout(timer);
          this.pending.delete(id);
          return msg && msg.result !== undefined && !msg.error
            ? [{ title: w.title, url: w.url, result: msg.result as T }]
            : [];
        }),
      )
    ).flat();
  }

  async collectGarbage(): Promise<void> {
    await this.post('HeapProfiler.collectGarbage');
    await this.toThreads('HeapProfiler.collectGarbage');
  }

  async threadHeaps(): Promise<ThreadHeap[]> {
    const answers = await this.toThreads<{ usedSize: number; totalSize: number }>(
      'Runtime.getHeapUsage',
    );
    return answers.map((a) => ({
      title: a.title,
      url: a.url,
      usedSize: a.result.usedSize,
      totalSize: a.result.totalSize,
    }));
  }

  async close(): Promise<void> {
    try {
      await this.post('NodeWorker.disable');
    } finally {
      this.session.disconnect();
    }
  }
}

async function snapshot(probe: ThreadProbe | undefined, probeError?: string) {
  let threads: ThreadHeap[] | null = null;
  let threadsError = probeError;
  if (probe) {
    try {
      threads = await probe.threadHeaps();
    } catch (err) {
      threadsError = (err as Error).message;
    }
  }
  const m = process.memoryUsage();
  const heapSpaces: MemorySnapshot['heapSpaces'] = {};
  for (const s of v8.getHeapSpaceStatistics()) {
    heapSpaces[s.space_name] = {
      size: s.space_size,
      used: s.space_used_size,
      physical: s.physical_space_size,
    };
  }
  return {
    memoryUsage: {
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    },
    heapSpaces,
    threads,
    ...(threadsError ? { threadsError } : {}),
    smaps: await smapsRollup(),
  } satisfies MemorySnapshot;
}

/** Takes the report: as found, then (with `gc`) after a full garbage collection of every thread. */
export async function collectMemoryReport(
  cachedWorkflows: () => number | null,
  opts: { gc: boolean },
): Promise<MemoryReport> {
  let probe: ThreadProbe | undefined = new ThreadProbe();
  let probeError: string | undefined;
  try {
    await probe.open();
  } catch (err) {
    probeError = `inspector: ${(err as Error).message}`;
    probe = undefined;
  }
  try {
    const cached = cachedWorkflows();
    const asFound = await snapshot(probe, probeError);
    let afterGc: MemorySnapshot | null = null;
    if (opts.gc) {
      if (probe) await probe.collectGarbage();
      afterGc = await snapshot(probe, probeError);
    }
    return {
      at: new Date().toISOString(),
      pid: process.pid,
      cachedWorkflows: cached,
      asFound,
      afterGc,
    };
  } finally {
    await probe?.close().catch(() => undefined);
  }
}

/** What a stdin line asks for: a report (with or without the collection), or nothing. */
export function parseMemoryReportRequest(line: string): { gc: boolean } | undefined {
  const words = line.trim().split(/\s+/);
  if (words[0] !== MEMORY_REPORT_REQUEST || words.length > 2) return undefined;
  if (words.length === 2 && words[1] !== 'gc') return undefined;
  return { gc: words[1] === 'gc' };
}

/**
 * Prints a report on every request line of `input` (default stdin) and on every SIGUSR2 (one at
 * a time; a request during a report is dropped). Returns the uninstaller, which lets go of the
 * input so the process can end. Only called when WORKER_MEMORY_REPORT is set: production
 * workers neither read stdin nor handle the signal.
 */
export function installMemoryReport(opts: {
  cachedWorkflows: () => number | null;
  input?: NodeJS.ReadableStream;
  write?: (line: string) => void;
  onError?: (err: Error) => void;
}): () => void {
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  let busy = false;
  const report = (gc: boolean) => {
    if (busy) return;
    busy = true;
    collectMemoryReport(opts.cachedWorkflows, { gc })
      .then((r) => write(formatMemoryReportLine(r)))
      .catch((err: unknown) => opts.onError?.(err as Error))
      .finally(() => {
        busy = false;
      });
  };
  const onSignal = () => report(true);
  process.on(MEMORY_REPORT_SIGNAL, onSignal);
  const lines = readline.createInterface({ input: opts.input ?? process.stdin, terminal: false });
  lines.on('line', (line) => {
    const request = parseMemoryReportRequest(line);
    if (request) report(request.gc);
  });
  return () => {
    process.off(MEMORY_REPORT_SIGNAL, onSignal);
    lines.close();
  };
}
