import { PassThrough } from 'node:stream';
import { Worker as Thread } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { breakdownPoint, formatBreakdown, memoryBreakdown } from '../../src/bench/memory-breakdown';
import { formatNotes, type BenchRun } from '../../src/bench/report';
import {
  collectMemoryReport,
  formatMemoryReportLine,
  installMemoryReport,
  MEMORY_REPORT_PREFIX,
  MEMORY_REPORT_SIGNAL,
  type MemoryReport,
  type MemorySnapshot,
  parseMemoryReportLine,
  parseMemoryReportRequest,
  parseSmapsRollup,
} from '../../src/worker-memory';

const MB = 1024 * 1024;

function aSnapshot(overrides: Partial<MemorySnapshot> = {}): MemorySnapshot {
  return {
    memoryUsage: {
      rss: 400 * MB,
      heapTotal: 60 * MB,
      heapUsed: 45 * MB,
      external: 20 * MB,
      arrayBuffers: 5 * MB,
    },
    heapSpaces: { old_space: { size: 40 * MB, used: 30 * MB, physical: 40 * MB } },
    threads: [
      {
        title: '[worker 1]',
        url: 'file:///sdk/workflow-worker-thread.js',
        usedSize: 90 * MB,
        totalSize: 110 * MB,
      },
      {
        title: '[worker 2]',
        url: 'node:internal/modules/esm/worker',
        usedSize: 4 * MB,
        totalSize: 10 * MB,
      },
    ],
    smaps: { Rss: 400 * MB, Anonymous: 330 * MB, Pss: 390 * MB },
    ...overrides,
  };
}

function aReport(overrides: Partial<MemoryReport> = {}): MemoryReport {
  return {
    at: '2026-12-07T18:00:00.000Z',
    pid: 4242,
    cachedWorkflows: 100,
    asFound: aSnapshot(),
    afterGc: aSnapshot(),
    ...overrides,
  };
}

describe('the worker memory report line', () => {
  it('reads back what the worker prints', () => {
    const report = aReport();
    const line = formatMemoryReportLine(report);
    expect(line.startsWith(MEMORY_REPORT_PREFIX)).toBe(true);
    expect(line).not.toContain('\n');
    expect(parseMemoryReportLine(`${line}\r`)).toEqual(report);
  });

  it('passes over the worker’s log lines', () => {
    expect(parseMemoryReportLine('{"level":30,"msg":"worker running"}')).toBeUndefined();
    expect(parseMemoryReportLine('')).toBeUndefined();
  });

  it('refuses a prefixed line that is not JSON or lacks a figure', () => {
    expect(() => parseMemoryReportLine(`${MEMORY_REPORT_PREFIX}{"at":`)).toThrow(/not JSON/);
    const { rss: _rss, ...noRss } = aSnapshot().memoryUsage;
    const broken = { ...aReport(), afterGc: { ...aSnapshot(), memoryUsage: noRss } };
    expect(() => parseMemoryReportLine(`${MEMORY_REPORT_PREFIX}${JSON.stringify(broken)}`)).toThrow(
      /unexpected shape[\s\S]*rss/,
    );
  });

  it('reads smaps_rollup fields as bytes', () => {
    const text = [
      '55d0c0a00000-7ffd1b3f2000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:              412340 kB',
      'Pss:              410001 kB',
      'Anonymous:        350212 kB',
      'THPeligible:            0',
    ].join('\n');
    expect(parseSmapsRollup(text)).toEqual({
      Rss: 412340 * 1024,
      Pss: 410001 * 1024,
      Anonymous: 350212 * 1024,
    });
  });
});

describe('the worker memory breakdown', () => {
  it('leaves as native rest what neither heap nor external memory accounts for', () => {
    const b = memoryBreakdown(aSnapshot());
    expect(b).toEqual({
      rssMb: 400,
      mainHeapUsedMb: 45,
      mainHeapTotalMb: 60,
      workflowHeapUsedMb: 90,
      workflowHeapTotalMb: 110,
      otherThreadsHeapUsedMb: 4,
      otherThreadsHeapTotalMb: 10,
      externalMb: 20,
      arrayBuffersMb: 5,
      // 400 − 60 − 120 − 20: array buffers are part of external, not counted twice.
      nativeRestMb: 200,
      anonymousMb: 330,
      fileBackedMb: 70,
    });
    expect(
      b.mainHeapTotalMb +
        b.workflowHeapTotalMb +
        b.otherThreadsHeapTotalMb +
        b.externalMb +
        b.nativeRestMb,
    ).toBe(b.rssMb);
  });

  it('counts no thread heap and no smaps split when they could not be read', () => {
    const b = memoryBreakdown(aSnapshot({ threads: null, smaps: null }));
    expect(b.workflowHeapTotalMb).toBe(0);
    expect(b.otherThreadsHeapTotalMb).toBe(0);
    expect(b.nativeRestMb).toBe(320);
    expect(b.anonymousMb).toBeNull();
    expect(b.fileBackedMb).toBeNull();
  });

  it('prints each point and the growth from one point to the next', () => {
    const idle = breakdownPoint('idle', aReport({ cachedWorkflows: 0 }));
    const grown = aSnapshot({
      memoryUsage: { ...aSnapshot().memoryUsage, rss: 480 * MB, heapUsed: 50 * MB },
    });
    const small = breakdownPoint('1000', aReport({ asFound: grown, afterGc: grown }));
    expect(small.threads).toEqual([
      '[worker 1] file:///sdk/workflow-worker-thread.js',
      '[worker 2] node:internal/modules/esm/worker',
    ]);
    const text = formatBreakdown([idle, small]);
    const row = (label: string, from = 0) =>
      text
        .split('\n')
        .slice(from)
        .find((l) => l.trimStart().startsWith(label))
        ?.trim()
        .split(/\s{2,}/);
    expect(text.split('\n')[0]).toMatch(/^Worker memory, MB\s+idle\s+1000\s+1000 − idle$/);
    expect(row('RSS')).toEqual(['RSS', '400.0', '480.0', '+80.0']);
    expect(row('V8 heap used, main thread')).toEqual([
      'V8 heap used, main thread',
      '45.0',
      '50.0',
      '+5.0',
    ]);
    expect(row('native rest')?.slice(1)).toEqual(['200.0', '280.0', '+80.0']);
    expect(row('V8 heap committed, workflow thread')?.slice(1)).toEqual(['110.0', '110.0', '+0.0']);
    expect(row('V8 heap committed, other threads')?.slice(1)).toEqual(['10.0', '10.0', '+0.0']);
    const afterGc = text.split('\n').findIndex((l) => l.startsWith('after a full GC'));
    expect(afterGc).toBeGreaterThan(0);
    expect(row('RSS', afterGc)).toEqual(['RSS', '400.0', '480.0', '+80.0']);
    expect(row('cached workflows')).toEqual(['cached workflows', '0', '100']);

    // Collected at the last point only: the earlier one shows — and so does the growth.
    const notCollected = breakdownPoint('idle', aReport({ afterGc: null }));
    expect(notCollected.afterGc).toBeNull();
    const partial = formatBreakdown([notCollected, small]);
    const gcAt = partial.split('\n').findIndex((l) => l.startsWith('after a full GC'));
    expect(
      partial
        .split('\n')
        .slice(gcAt)
        .find((l) => l.trimStart().startsWith('RSS'))
        ?.trim()
        .split(/\s{2,}/),
    ).toEqual(['RSS', '—', '480.0', '—']);
    const none = formatBreakdown([notCollected]);
    expect(none).not.toContain('after a full GC');
  });

  it('goes under the table of the text report, once per figure that has it', () => {
    const run: BenchRun = {
      startedAt: '2026-12-07T18:00:00.000Z',
      finishedAt: '2026-12-07T18:05:00.000Z',
      scale: 0.1,
      machine: {
        cores: 2,
        cpuModel: 'x',
        memoryBytes: 1,
        node: 'v20',
        platform: 'linux',
        arch: 'x64',
      },
      sections: [{ id: 'memory', title: 'Memory', ok: true, seconds: 1 }],
      figures: [
        { id: 'memory.1k', section: 'memory', label: '1k', value: 1, unit: 'MB', better: 'lower' },
        {
          id: 'memory.10k',
          section: 'memory',
          label: '10k',
          value: 1,
          unit: 'MB',
          better: 'lower',
          notes: 'Worker memory, MB  idle',
        },
      ],
    };
    expect(formatNotes(run)).toBe('memory.10k:\nWorker memory, MB  idle');
    expect(formatNotes({ ...run, figures: run.figures.slice(0, 1) })).toBe('');
  });
});

describe('the worker memory report', () => {
  it('finds a worker thread’s heap, which this thread’s memoryUsage does not count', async () => {
    // A thread holding some 30 MB of objects, as the workflow sandbox's thread holds workflows.
    const thread = new Thread(
      `const { parentPort } = require('node:worker_threads');
       globalThis.kept = Array.from({ length: 300000 }, (_, i) => ({ i, s: 'x'.repeat(40) + i }));
       parentPort.postMessage('ready');
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    try {
      await new Promise((resolve) => thread.once('message', resolve));
      const report = await collectMemoryReport(() => 7, { gc: true });
      expect(parseMemoryReportLine(formatMemoryReportLine(report))).toEqual(report);
      expect(report.cachedWorkflows).toBe(7);
      expect(report.pid).toBe(process.pid);
      expect(report.afterGc).not.toBeNull();
      for (const s of [report.asFound, report.afterGc!]) {
        expect(s.threadsError).toBeUndefined();
        const heaps = s.threads ?? [];
        expect(Math.max(...heaps.map((t) => t.usedSize))).toBeGreaterThan(20 * MB);
        expect(s.memoryUsage.rss).toBeGreaterThan(0);
        expect(s.heapSpaces.old_space?.used).toBeGreaterThan(0);
        if (process.platform === 'linux') expect(s.smaps?.Rss).toBeGreaterThan(0);
      }
    } finally {
      await thread.terminate();
    }
  });

  it('collects no garbage unless asked: the collection changes what the process holds after', async () => {
    const report = await collectMemoryReport(() => null, { gc: false });
    expect(report.afterGc).toBeNull();
    expect(report.asFound.memoryUsage.heapUsed).toBeGreaterThan(0);
    expect(parseMemoryReportLine(formatMemoryReportLine(report))).toEqual(report);
  });

  it('reads a request from a stdin line: memory-report, with gc or without', () => {
    expect(parseMemoryReportRequest('memory-report')).toEqual({ gc: false });
    expect(parseMemoryReportRequest('  memory-report gc\r')).toEqual({ gc: true });
    expect(parseMemoryReportRequest('memory-report now')).toBeUndefined();
    expect(parseMemoryReportRequest('memory-report gc gc')).toBeUndefined();
    expect(parseMemoryReportRequest('hello')).toBeUndefined();
  });

  it('answers a stdin line and SIGUSR2 once installed, and lets both go when uninstalled', async () => {
    const before = process.listenerCount(MEMORY_REPORT_SIGNAL);
    const input = new PassThrough();
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    const uninstall = installMemoryReport({
      cachedWorkflows: () => null,
      input,
      write: (line) => {
        lines.push(line);
        wake?.();
      },
      onError: (err) => {
        throw err;
      },
    });
    const next = () => new Promise<void>((resolve) => (wake = resolve));
    try {
      expect(process.listenerCount(MEMORY_REPORT_SIGNAL)).toBe(before + 1);
      let arrived = next();
      input.write('something else\nmemory-report\n');
      await arrived;
      const asked = parseMemoryReportLine(lines[0]!);
      expect(asked?.pid).toBe(process.pid);
      expect(asked?.afterGc).toBeNull();

      arrived = next();
      process.kill(process.pid, MEMORY_REPORT_SIGNAL);
      await arrived;
      expect(parseMemoryReportLine(lines[1]!)?.afterGc).not.toBeNull();
    } finally {
      uninstall();
    }
    expect(process.listenerCount(MEMORY_REPORT_SIGNAL)).toBe(before);
    input.write('memory-report\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines).toHaveLength(2);
  });
});
