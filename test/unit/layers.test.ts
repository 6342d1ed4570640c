/**
 * The layers point one way: no import cycle anywhere (type-only imports count too), workflows/
 * imports nothing from src/ or activities/, and the shared HTTP helpers (src/http/) import no
 * feature. Read with madge over the TypeScript sources, the way `npx madge --circular` shows it.
 */
import path from 'node:path';
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
let graph: Record<string, string[]>;
let circular: string[][];

beforeAll(async () => {
  const result = await madge(['src', 'workflows', 'activities'], {
    baseDir: root,
    fileExtensions: ['ts'],
    tsConfig: path.join(root, 'tsconfig.json'),
    // Type-only imports are edges too: a cycle of types still ties the modules together.
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  });
  graph = result.obj();
  circular = result.circular();
}, 60_000);

/** The files under `from` that import something under one of `to`, as "file → import". */
function edges(from: string, to: string[]): string[] {
  return Object.entries(graph).flatMap(([file, deps]) =>
    file.startsWith(from)
      ? deps.filter((d) => to.some((t) => d.startsWith(t))).map((d) => `${file} → ${d}`)
      : [],
  );
}

describe('the import graph', () => {
  it('reads the sources it should (a sanity check on the graph itself)', () => {
    expect(Object.keys(graph)).toContain('workflows/shipment.workflow.ts');
    expect(Object.keys(graph)).toContain('src/api/app.ts');
    expect(graph['src/api/app.ts']).toContain('src/http/problems.ts');
  });

  it('has no import cycle in src/, workflows/ or activities/', () => {
    expect(circular.map((c) => c.join(' > '))).toEqual([]);
  });

  it('keeps workflows/ free of src/ (activities are imported by type only, as proxies)', () => {
    expect(edges('workflows/', ['src/'])).toEqual([]);
  });

  it('keeps the shared HTTP helpers free of features and of the app assembly', () => {
    const features = Object.keys(graph)
      .filter((f) => f.startsWith('src/') && !f.startsWith('src/http/'))
      .map((f) => f.split('/').slice(0, 2).join('/') + '/')
      .filter((dir, i, all) => all.indexOf(dir) === i && dir !== 'src/db/');
    expect(edges('src/http/', features)).toEqual([]);
  });
});
