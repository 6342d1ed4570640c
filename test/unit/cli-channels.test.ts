import { afterEach, describe, expect, it, vi } from 'vitest';
import { run, type CliIo } from '../../src/cli/cli';

function io(files: Record<string, string> = {}) {
  const out: string[] = [];
  const cli: CliIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: () => undefined },
    env: { PARCELWARDEN_API_KEY: 'k', PARCELWARDEN_URL: 'http://127.0.0.1:9' },
    readFile: (path: string) =>
      files[path] !== undefined
        ? Promise.resolve(files[path])
        : Promise.reject(new Error('ENOENT')),
    writeFile: () => Promise.resolve(),
  };
  return { cli, out: () => out.join('') };
}
const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('channel-rates and channel-policy commands', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('channel-rates import sends the file as CSV and lists refused lines by number', async () => {
    const sent: { url: string; type: string | null; body: string }[] = [];
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      sent.push({
        url,
        type: new Headers(init.headers).get('content-type'),
        body: String(init.body),
      });
      return Promise.resolve(
        json(
          {
            type: 'https://parcelwarden.dev/problems/channel_rates.import_invalid',
            title: 'Rate card has invalid lines',
            status: 422,
            detail: '1 problem(s)',
            code: 'channel_rates.import_invalid',
            errors: [{ path: 'line.3.postage', message: 'line 3: must be a number such as 12.50' }],
          },
          422,
          'application/problem+json',
        ),
      );
    });
    const t = io({ 'rates.csv': 'carrier,service\n' });
    expect(await run(['channel-rates', 'import', 'rates.csv'], t.cli)).toBe(1);
    expect(sent[0]).toMatchObject({
      url: 'http://127.0.0.1:9/v1/channel-rates:import',
      type: 'text/csv',
      body: 'carrier,service\n',
    });
    expect(t.out()).toContain('line 3: must be a number such as 12.50 (line.3.postage)');
  });

  it('channel-policy set puts the JSON file', async () => {
    const sent: { method?: string; body: unknown }[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => {
      sent.push({ method: init.method, body: JSON.parse(String(init.body)) });
      return Promise.resolve(json({ version: 2, updatedAt: null, policy: {} }));
    });
    const t = io({ 'p.json': '{"maxLossRate":0.1}' });
    expect(await run(['channel-policy', 'set', 'p.json'], t.cli)).toBe(0);
    expect(sent).toEqual([{ method: 'PUT', body: { maxLossRate: 0.1 } }]);
    expect(t.out()).toContain('version 2');
  });
});
