/**
 * The docs point only at what exists: every relative link in README.md and docs/ resolves to a file
 * in the repository (and, for a link to a heading, to that heading), every `path/in/backticks`
 * under a source folder names a file or folder that is there, and the README stays short.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const README_MAX_LINES = 300;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

const DOCS = [path.join(ROOT, 'README.md'), ...markdownFiles(path.join(ROOT, 'docs'))];

/** The text outside fenced code blocks, line by line (numbers kept for messages). */
function proseLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (marker && (fence === undefined || fence === marker)) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined && !/^( {4}|\t)/.test(line)) out.push({ line: i + 1, text: line });
  });
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const { text } of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Relative link targets in a markdown file (inline code spans and code blocks ignored). */
function linksOf(file: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { line, text } of proseLines(readFileSync(file, 'utf8'))) {
    const prose = text.replace(/`[^`]*`/g, '``');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      links.push({ line, target: m[1]! });
    }
    for (const m of prose.matchAll(/^\s*\[[^\]]+\]:\s+(\S+)/g)) links.push({ line, target: m[1]! });
  }
  return links.filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** Why a link does not resolve, or undefined when it does. */
function brokenLink(file: string, target: string): string | undefined {
  const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
  const resolved = rawPath === '' ? file : path.resolve(path.dirname(file), decodeURI(rawPath));
  if (path.relative(ROOT, resolved).startsWith('..')) return 'points outside the repository';
  if (!existsSync(resolved)) return 'no such file';
  if (anchor && resolved.endsWith('.md') && statSync(resolved).isFile()) {
    if (!anchorsOf(resolved).has(anchor.toLowerCase())) return `no heading #${anchor}`;
  }
  return undefined;
}

/** Folders whose paths the docs name in backticks. */
const SOURCE_ROOTS = ['src/', 'workflows/', 'activities/', 'test/', 'docs/', 'scripts/', 'bin/'];

/** `src/…` style paths named in prose that are not in the working tree. */
function missingPaths(file: string): string[] {
  const missing: string[] = [];
  for (const { line, text } of proseLines(readFileSync(file, 'utf8'))) {
    for (const m of text.matchAll(/`([^`\s]+)`/g)) {
      const named = m[1]!.replace(/[.,:;]+$/, '');
      if (!SOURCE_ROOTS.some((root) => named.startsWith(root))) continue;
      // Patterns and placeholders (`test/chaos/*.test.ts`, `docs/bench/<file>`) name no one file.
      if (/[*<>{}…]/.test(named)) continue;
      if (!existsSync(path.join(ROOT, named)))
        missing.push(`${path.relative(ROOT, file)}:${line} ${named}`);
    }
  }
  return missing;
}

/** Files under a folder, recursively (source trees only; no node_modules under these). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Design and research notes kept outside the repository; code must say what they said instead. */
const OUTSIDE_NOTES = new RegExp(
  ['DESIGN', 'notes/[\\w-]+'].map((n) => `\\b${n}\\.md\\b`).join('|'),
);

describe('the docs', () => {
  it(`README.md has at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(path.join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('every relative link in README.md and docs/ resolves', () => {
    const broken = DOCS.flatMap((file) =>
      linksOf(file).flatMap(({ line, target }) => {
        const why = brokenLink(file, target);
        return why ? [`${path.relative(ROOT, file)}:${line} ${target} (${why})`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });

  it('every source path the docs name in backticks exists', () => {
    expect(DOCS.flatMap(missingPaths)).toEqual([]);
  });

  it('no source file points at notes kept outside the repository (the design doc, research notes)', () => {
    const pointing = ['src', 'workflows', 'activities', 'test', 'scripts']
      .flatMap((dir) => filesUnder(path.join(ROOT, dir)))
      .concat(path.join(ROOT, 'docker-compose.yml'))
      .filter((file) => /\.(ts|js|mjs|md|yml|yaml|sh)$/.test(file) && existsSync(file))
      .filter((file) => OUTSIDE_NOTES.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(ROOT, file));
    expect(pointing).toEqual([]);
  });

  it('finds the links it checks (the checker itself works)', () => {
    const readme = path.join(ROOT, 'README.md');
    expect(linksOf(readme).length).toBeGreaterThan(5);
    expect(brokenLink(readme, 'docs/README.md')).toBeUndefined();
    expect(brokenLink(readme, 'docs/nowhere.md')).toBe('no such file');
    expect(brokenLink(readme, 'docs/README.md#no-such-heading')).toBe(
      'no heading #no-such-heading',
    );
    expect(brokenLink(readme, '../outside.md')).toBe('points outside the repository');
  });
});
