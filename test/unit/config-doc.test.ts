import { readFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { settings } from '../../src/config';
import { CONFIGURATION_DOC, renderConfigurationDoc } from '../../src/config.doc';

describe('the configuration doc', () => {
  it('docs/configuration.md is current with src/config.ts (regenerate with npm run docs:config)', async () => {
    const options = (await resolveConfig(CONFIGURATION_DOC)) ?? {};
    const expected = await format(renderConfigurationDoc(), {
      ...options,
      filepath: CONFIGURATION_DOC,
    });
    expect(await readFile(CONFIGURATION_DOC, 'utf8')).toBe(expected);
  });

  it('has one row per declared setting, with its default and what it accepts', () => {
    const doc = renderConfigurationDoc();
    for (const s of Object.values(settings)) {
      expect(doc.split('\n').filter((line) => line.startsWith(`| \`${s.env}\` |`))).toHaveLength(1);
    }
    expect(doc).toContain(
      '| `PORT` | `3000` | integer 0–65535 |  | HTTP port of the API and console. |',
    );
    expect(doc).toContain('| `DATA_DIR` | `./.data` |');
    expect(doc).toContain(
      '| `TRACKING_PROVIDER` | `sandbox` | `aftership`, `17track`, `easypost`, `sandbox` |',
    );
    expect(doc).toContain('| `TEMPORAL_TLS` | `false` | `true` / `false` |');
    expect(doc).toMatch(/\| `PAYLOAD_KEY` \| — \| text \| yes \|/);
  });

  it('renders a setting it has never seen from its declaration', () => {
    const doc = renderConfigurationDoc({
      ...settings,
      someNewLimit: {
        env: 'SOME_NEW_LIMIT',
        doc: 'A limit | with a pipe.',
        schema: z.coerce.number().int().min(1).max(9).default(3),
      },
      someHosts: {
        env: 'SOME_HOSTS',
        doc: 'Hosts.',
        schema: z
          .string()
          .transform((s) => s.split(','))
          .default(['a', 'b']),
      },
      noHosts: {
        env: 'NO_HOSTS',
        doc: 'No hosts.',
        schema: z
          .string()
          .transform((s) => s.split(','))
          .default([]),
      },
    });
    expect(doc).toContain('| `SOME_HOSTS` | `a,b` |');
    expect(doc).toContain('| `NO_HOSTS` | — |');
    expect(doc).toContain('| `SOME_NEW_LIMIT` | `3` | integer 1–9 |  | A limit \\| with a pipe. |');
  });
});
