/**
 * The installed command itself (bin/parcelwarden.mjs, as `npx parcelwarden` runs it): its
 * version and a command's help, in a process of its own, with no API behind it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/parcelwarden.mjs');
const version = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
).version;

const parcelwarden = (...args: string[]) =>
  promisify(execFile)(process.execPath, [bin, ...args], { cwd: root, timeout: 60_000 });

describe('the parcelwarden command', () => {
  it('--version prints the package version', async () => {
    const { stdout } = await parcelwarden('--version');
    expect(stdout).toBe(`${version}\n`);
  });

  it('<command> --help and help <command> print the usage with examples', async () => {
    const a = await parcelwarden('shipments', 'find', '--help');
    expect(a.stdout).toContain('Usage: parcelwarden shipment search <text>');
    expect(a.stdout).toContain('  parcelwarden shipments find "Schreiber" --stage awaiting_review');
    const b = await parcelwarden('help', 'shipments', 'find');
    expect(b.stdout).toBe(a.stdout);
  });

  it('a mistyped command exits 2 with the closest one', async () => {
    const failed = await parcelwarden('reviews', 'lst').catch((err: unknown) => err);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain(
      'Did you mean "parcelwarden reviews list"?',
    );
  });
});
