/**
 * What `npm run bench` leaves behind: a table on stdout, and `docs/bench/latest.{json,md,svg}`
 * (the JSON keeps every detail, the Markdown table is what docs/benchmarks.md shows, the SVG draws
 * each figure as a ratio to its limit).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { barChart } from '../charts';
import type { BenchFigure } from './types';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  arch: string;
}

export interface SectionOutcome {
  id: string;
  title: string;
  ok: boolean;
  /** Message of the error that ended a failed section. */
  error?: string;
  seconds: number;
}

export interface BenchRun {
  startedAt: string;
  finishedAt: string;
  scale: number;
  machine: MachineInfo;
  sections: SectionOutcome[];
  figures: BenchFigure[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
  };
}

/** The figure with `ratio = value / limit.value`, when there is a usable limit. */
export function withRatio(figure: BenchFigure): BenchFigure {
  const limit = figure.limit;
  if (
    !limit ||
    !Number.isFinite(limit.value) ||
    limit.value === 0 ||
    !Number.isFinite(figure.value)
  )
    return { ...figure, ratio: undefined };
  return { ...figure, ratio: figure.value / limit.value };
}

/** Three significant digits at most, whole numbers from 100 up. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, useGrouping: abs >= 10_000 });
}

/** Two decimals; a ratio far below 1 keeps two significant digits rather than showing 0.00×. */
export const formatRatio = (r: number | undefined) =>
  r === undefined ? '' : `${r !== 0 && Math.abs(r) < 0.01 ? r.toPrecision(2) : r.toFixed(2)}×`;

export const TABLE_HEADER = ['Section', 'Figure', 'Value', 'Limit', 'Limit value', 'Ratio'];

/** One row per figure, one per failed section; the cells as the table and Markdown show them. */
export function tableRows(run: BenchRun): string[][] {
  const rows: string[][] = [];
  for (const section of run.sections) {
    const figures = run.figures.filter((f) => f.section === section.id);
    for (const f of figures) {
      rows.push([
        section.id,
        f.label,
        `${formatNumber(f.value)} ${f.unit}`,
        f.limit?.label ?? '',
        f.limit ? `${formatNumber(f.limit.value)} ${f.limit.unit}` : '',
        formatRatio(f.ratio),
      ]);
    }
    if (!section.ok) {
      rows.push([section.id, 'FAILED', '', firstLine(section.error ?? 'failed'), '', '']);
    }
  }
  return rows;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** A plain-text table with aligned columns (stdout). */
export function formatTable(run: BenchRun): string {
  const rows = [TABLE_HEADER, ...tableRows(run)];
  const widths = TABLE_HEADER.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) =>
        i === 2 || i === 4 || i === 5 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

/** The figures' notes, each under its figure's id, for the text report (empty when none). */
export function formatNotes(run: BenchRun): string {
  return run.figures
    .filter((f) => f.notes)
    .map((f) => `${f.id}:\n${f.notes!}`)
    .join('\n\n');
}

function describeMachine(run: BenchRun): string {
  const m = run.machine;
  const gib = (m.memoryBytes / 1024 ** 3).toFixed(1);
  return `${m.cores} cores (${m.cpuModel}), ${gib} GiB memory, Node ${m.node}, ${m.platform}/${m.arch}`;
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown docs/benchmarks.md shows: when, where, at which scale, then the table. */
export function markdownTable(run: BenchRun): string {
  const failed = run.sections.filter((s) => !s.ok).map((s) => s.id);
  const lines = [
    `Measured ${run.finishedAt.slice(0, 16).replace('T', ' ')} UTC on ${describeMachine(run)}; ` +
      `BENCH_SCALE=${run.scale}.${failed.length ? ` Failed sections: ${failed.join(', ')}.` : ''}`,
    '',
    `| ${TABLE_HEADER.join(' | ')} |`,
    `| ${TABLE_HEADER.map((_, i) => (i === 2 || i === 4 || i === 5 ? '---:' : '---')).join(' | ')} |`,
    ...tableRows(run).map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * One bar per figure with a limit: its ratio to the limit, with a dashed line at 1. Figures where
 * lower is better and that exceed their limit are drawn in the warning colour.
 */
export function ratioChart(run: BenchRun): string {
  const figures = run.figures.filter((f) => f.ratio !== undefined);
  return barChart({
    title: 'Parcelwarden benchmark: each figure as a ratio to its limit',
    description:
      `Measured ${run.finishedAt} on ${describeMachine(run)}, BENCH_SCALE=${run.scale}. ` +
      'A ratio of 1 means the figure equals the limit measured in the same run.',
    bars: figures.map((f) => ({
      label: f.id,
      value: f.ratio!,
      highlight: f.better === 'lower' && f.ratio! > 1,
    })),
    yLabel: 'value ÷ limit',
    format: formatRatio,
    reference: { value: 1, label: 'limit' },
    width: Math.max(720, 120 + figures.length * 70),
    height: 420,
  });
}

export interface WrittenReport {
  json: string;
  markdown: string;
  svg: string;
}

/** Writes latest.json, latest.md and latest.svg into `dir` (created when missing). */
export async function writeReport(run: BenchRun, dir: string): Promise<WrittenReport> {
  await fs.mkdir(dir, { recursive: true });
  const out = {
    json: path.join(dir, 'latest.json'),
    markdown: path.join(dir, 'latest.md'),
    svg: path.join(dir, 'latest.svg'),
  };
  await fs.writeFile(out.json, `${JSON.stringify(run, null, 2)}\n`);
  await fs.writeFile(out.markdown, markdownTable(run));
  await fs.writeFile(out.svg, `${ratioChart(run)}\n`);
  return out;
}
