import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatRatio,
  formatNumber,
  formatTable,
  markdownTable,
  ratioChart,
  tableRows,
  withRatio,
  writeReport,
  type BenchRun,
} from '../../src/bench/report';
import type { BenchFigure } from '../../src/bench/types';

const startLimit = { label: 'raw client.workflow.start', value: 200, unit: 'shipments/s' };

const measured: BenchFigure[] = [
  {
    id: 'registrations.raw',
    section: 'registrations',
    label: 'Raw workflow starts',
    value: 200,
    unit: 'shipments/s',
    better: 'higher',
  },
  {
    id: 'registrations.api',
    section: 'registrations',
    label: 'POST /v1/shipments',
    value: 150,
    unit: 'shipments/s',
    better: 'higher',
    limit: startLimit,
  },
  {
    id: 'latency.p95',
    section: 'latency',
    label: 'Stall detected after deadline, p95',
    value: 3,
    unit: 's',
    better: 'lower',
    limit: { label: 'bare timer p95', value: 1.5, unit: 's' },
  },
];
const figures = measured.map(withRatio);

function aRun(overrides: Partial<BenchRun> = {}): BenchRun {
  return {
    startedAt: '2026-11-22T03:00:00.000Z',
    finishedAt: '2026-11-22T03:09:30.000Z',
    scale: 1,
    machine: {
      cores: 2,
      cpuModel: 'Test CPU',
      memoryBytes: 4 * 1024 ** 3,
      node: 'v20.20.2',
      platform: 'linux',
      arch: 'x64',
    },
    sections: [
      { id: 'registrations', title: 'Registrations', ok: true, seconds: 40 },
      { id: 'latency', title: 'Latency', ok: true, seconds: 60 },
      {
        id: 'events',
        title: 'Events',
        ok: false,
        error: 'POST /v1/tracking-events → HTTP 503',
        seconds: 5,
      },
    ],
    figures,
    ...overrides,
  };
}

describe('bench report', () => {
  it('sets the ratio of a figure to its limit, and none without a usable limit', () => {
    expect(figures[1]!.ratio).toBeCloseTo(0.75);
    expect(figures[2]!.ratio).toBeCloseTo(2);
    expect(figures[0]!.ratio).toBeUndefined();
    const zeroLimit = withRatio({ ...figures[1]!, limit: { ...startLimit, value: 0 } });
    expect(zeroLimit.ratio).toBeUndefined();
  });

  it('formats numbers with at most three significant digits', () => {
    expect(formatNumber(1234.56)).toBe('1235');
    expect(formatNumber(45.678)).toBe('45.7');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(0.01234)).toBe('0.012');
    expect(formatNumber(25_000)).toBe('25,000');
  });

  it('writes ratios with two decimals, and one far below 1 with two significant digits', () => {
    expect(formatRatio(0.4567)).toBe('0.46×');
    expect(formatRatio(1.478)).toBe('1.48×');
    expect(formatRatio(0.0017777)).toBe('0.0018×');
    expect(formatRatio(0)).toBe('0.00×');
    expect(formatRatio(undefined)).toBe('');
  });

  it('lists every figure under its section with value, limit and ratio, and failed sections', () => {
    const rows = tableRows(aRun());
    expect(rows).toEqual([
      ['registrations', 'Raw workflow starts', '200 shipments/s', '', '', ''],
      [
        'registrations',
        'POST /v1/shipments',
        '150 shipments/s',
        'raw client.workflow.start',
        '200 shipments/s',
        '0.75×',
      ],
      ['latency', 'Stall detected after deadline, p95', '3 s', 'bare timer p95', '1.5 s', '2.00×'],
      ['events', 'FAILED', '', 'POST /v1/tracking-events → HTTP 503', '', ''],
    ]);
    const table = formatTable(aRun()).split('\n');
    expect(table[0]).toMatch(/^Section\s+Figure\s+Value\s+Limit\s+Limit value\s+Ratio$/);
    expect(table).toHaveLength(2 + rows.length);
    // Columns line up: every row is as wide as the header's dashes or narrower.
    const width = table[1]!.length;
    for (const line of table) expect(line.length).toBeLessThanOrEqual(width);
  });

  it('writes a Markdown table with the machine, the scale and escaped cells', () => {
    const run = aRun();
    run.figures = [...run.figures, withRatio({ ...figures[1]!, id: 'x', label: 'a | b' })];
    const md = markdownTable(run);
    expect(md).toContain('2 cores (Test CPU), 4.0 GiB memory, Node v20.20.2');
    expect(md).toContain('BENCH_SCALE=1');
    expect(md).toContain('Failed sections: events.');
    expect(md).toContain('| Section | Figure | Value | Limit | Limit value | Ratio |');
    expect(md).toContain('| registrations | POST /v1/shipments | 150 shipments/s |');
    expect(md).toContain('a \\| b');
  });

  it('draws one bar per figure with a limit, at its ratio, with the limit line at 1', () => {
    const svg = ratioChart(aRun());
    const bars = [
      ...svg.matchAll(/<rect class="(bar[^"]*)"[^>]*data-label="([^"]+)" data-value="([^"]+)"/g),
    ].map((m) => ({ cls: m[1], label: m[2], value: Number(m[3]) }));
    expect(bars).toEqual([
      { cls: 'bar', label: 'registrations.api', value: 0.75 },
      // Lower is better and it is over its limit: drawn as a warning.
      { cls: 'bar highlight', label: 'latency.p95', value: 2 },
    ]);
    expect(svg).toContain('class="reference"');
    expect(svg).toContain('>limit</text>');
  });

  it('saves JSON, Markdown and SVG side by side', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-report-'));
    try {
      const written = await writeReport(aRun(), dir);
      const json = JSON.parse(await fs.readFile(written.json, 'utf8')) as BenchRun;
      expect(json.machine.cores).toBe(2);
      expect(json.figures.find((f) => f.id === 'registrations.api')?.ratio).toBeCloseTo(0.75);
      expect(await fs.readFile(written.markdown, 'utf8')).toBe(markdownTable(aRun()));
      expect(await fs.readFile(written.svg, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
