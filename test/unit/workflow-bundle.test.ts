import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedWorkflowBundle } from '../../src/worker';

const cacheHome = await mkdtemp(path.join(os.tmpdir(), 'parcelwarden-bundle-'));
afterAll(() => rm(cacheHome, { recursive: true, force: true }));

describe('the workflow bundle a worker loads', () => {
  it('is built once into the cache folder and loaded from there on the next start', async () => {
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = await cachedWorkflowBundle(env);
    expect(first).toEqual({
      codePath: expect.stringMatching(
        /parcelwarden\/workflow-bundles\/shipments-[0-9a-f]{16}\.js$/,
      ),
    });
    const codePath = (first as { codePath: string }).codePath;
    expect(codePath.startsWith(cacheHome)).toBe(true);
    const built = await stat(codePath);
    expect(built.size).toBeGreaterThan(100_000);
    // With the continue-as-new latch registered as a workflow interceptor module.
    const code = await readFile(codePath, 'utf8');
    const hooks = code.slice(code.lastIndexOf('function importInterceptors'));
    expect(hooks).toMatch(/^[^}]*"\.\/workflows\/history-pressure\.ts"/);

    const second = await cachedWorkflowBundle(env);
    expect(second).toEqual(first);
    // Not written again.
    expect((await stat(codePath)).mtimeMs).toBe(built.mtimeMs);
  }, 120_000);
});
