/**
 * What `parcelwarden` says about itself: its version, each command's help with examples (as
 * `<command> --help` and as `help <command>`), and the closest command or option when one is
 * mistyped. Nothing here reaches an API.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/cli';
import { EXAMPLES } from '../../src/cli/help';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    env: {},
    readFile: () => Promise.reject(new Error('ENOENT: no such file')),
    writeFile: () => Promise.resolve(),
  };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const COMMANDS = Object.keys(EXAMPLES).map((name) => name.split(' '));

describe('parcelwarden --version', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the package version', async (flag) => {
    const t = io();
    expect(await run([flag], t.cli)).toBe(0);
    expect(t.out()).toBe(`${VERSION}\n`);
  });
});

describe("a command's help", () => {
  it('lists examples for every command (the list is not empty by mistake)', () => {
    expect(COMMANDS.length).toBeGreaterThanOrEqual(12);
  });

  it.each(COMMANDS.map((c) => [c.join(' '), c]))(
    '%s --help shows its usage and its examples, without calling the API',
    async (name, cmd) => {
      const t = io();
      expect(await run([...cmd, '--help'], t.cli)).toBe(0);
      expect(t.out()).toContain('Usage: parcelwarden');
      expect(t.out()).toContain('Examples:');
      for (const example of EXAMPLES[name]!) expect(t.out()).toContain(`  ${example}`);
      expect(t.err()).toBe('');
    },
  );

  it('help <command> prints the same as <command> --help', async () => {
    const a = io();
    const b = io();
    expect(await run(['help', 'reviews', 'decide'], a.cli)).toBe(0);
    expect(await run(['reviews', 'decide', '--help'], b.cli)).toBe(0);
    expect(a.out()).toBe(b.out());
    expect(a.out()).toContain('parcelwarden reviews decide SHP-1042 reship --reviewer mei.lin');
  });

  it('the examples come before the options every command takes', async () => {
    const t = io();
    await run(['report', 'carriers', '-h'], t.cli);
    expect(t.out().indexOf('Examples:')).toBeGreaterThan(0);
    expect(t.out().indexOf('Examples:')).toBeLessThan(t.out().indexOf('Options of every command'));
  });

  it('the main help says how to get a command’s help and the version', async () => {
    const t = io();
    expect(await run(['--help'], t.cli)).toBe(0);
    expect(t.out()).toContain('parcelwarden help <command>');
    expect(t.out()).toContain('parcelwarden --version');
  });
});

describe('a mistyped command or option', () => {
  it.each([
    [['reviews', 'lst'], 'Did you mean "parcelwarden reviews list"?'],
    [['revews', 'decide'], 'Did you mean "parcelwarden reviews decide"?'],
    [['shipment', 'serch', 'ORD-1'], 'Did you mean "parcelwarden shipment search"?'],
    [['help', 'report', 'carrier'], 'Did you mean "parcelwarden report carriers"?'],
  ])('%j names the closest command', async (argv, hint) => {
    const t = io();
    expect(await run(argv, t.cli)).toBe(2);
    expect(t.err()).toContain(hint);
    expect(t.out()).toBe('');
  });

  it('a group alone lists its commands', async () => {
    const t = io();
    expect(await run(['reviews'], t.cli)).toBe(2);
    expect(t.err()).toContain(
      'The reviews commands: "reviews list", "reviews decide", "reviews batch"',
    );
  });

  it('nothing close: says where the list of commands is, guessing nothing', async () => {
    const t = io();
    expect(await run(['frobnicate', 'everything'], t.cli)).toBe(2);
    expect(t.err()).toContain('Unknown command "frobnicate everything"');
    expect(t.err()).not.toContain('Did you mean');
    expect(t.err()).toContain('parcelwarden --help');
  });

  it('an unknown option names the closest one the command takes', async () => {
    const t = io();
    expect(await run(['shipment', 'search', 'ORD-1', '--limt', '3'], t.cli)).toBe(2);
    expect(t.err()).toContain('Unknown option --limt. Did you mean --limit?');
  });

  it('an option far from any lists the ones the command takes', async () => {
    const t = io();
    expect(await run(['reviews', 'list', '--colour'], t.cli)).toBe(2);
    expect(t.err()).toContain(
      'Unknown option --colour; this command takes --url, --key, --help, --limit, --json',
    );
  });
});
