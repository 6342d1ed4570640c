/**
 * What the command line says about itself: its version, each command's examples, and the
 * closest command or option when one is mistyped.
 */
import { readFileSync } from 'node:fs';
import { closest, distance } from 'fastest-levenshtein';

/** The version of the package this command line belongs to (package.json). */
export function cliVersion(): string {
  const file = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Examples shown under each command's help, by command name. */
export const EXAMPLES: Record<string, string[]> = {
  'import shipments': [
    'parcelwarden import shipments orders.csv --errors failed.csv',
    'parcelwarden import shipments orders.csv --origin CN --policy express --batch-size 200',
  ],
  'reviews list': ['parcelwarden reviews list --limit 50', 'parcelwarden reviews list --json'],
  'reviews decide': [
    'parcelwarden reviews decide SHP-1042 reship --reviewer mei.lin --note "no scan for 12 days"',
    'parcelwarden reviews decide SHP-1043 keep_waiting --reviewer mei.lin',
  ],
  'reviews batch': [
    'parcelwarden reviews batch decisions.csv --reviewer mei.lin',
    'parcelwarden reviews batch --all-pending --decision keep_waiting --reviewer mei.lin',
    'cat decisions.csv | parcelwarden reviews batch - --no-wait',
  ],
  'stock import': [
    'parcelwarden stock import stock.csv',
    'parcelwarden stock import arrivals.csv --mode add --errors stock-errors.csv',
  ],
  'shipment show': [
    'parcelwarden shipment show SHP-1042',
    'parcelwarden shipment show SHP-1042 --json',
  ],
  'shipment search': [
    'parcelwarden shipment search ORD-78121',
    'parcelwarden shipment search jana.schreiber@example.org',
    'parcelwarden shipments find "Schreiber" --stage awaiting_review --limit 5',
  ],
  'report carriers': [
    'parcelwarden report carriers --from 2026-10-01 --to 2026-11-01',
    'parcelwarden report carriers --destination DE --csv > carriers.csv',
  ],
  'shops add': [
    'parcelwarden shops add mugs-eu --platform shopify --domain mugs-eu.myshopify.com --token shpat_… --webhook-secret … --origin-country CN',
  ],
  'shops list': ['parcelwarden shops list', 'parcelwarden shops list --json'],
  'shops remove': ['parcelwarden shops remove mugs-eu'],
  'shops sync': ['parcelwarden shops sync mugs-eu --since 2026-11-01'],
};
/** `shipments find` is `shipment search` under another name. */
EXAMPLES['shipments find'] = EXAMPLES['shipment search']!;

/**
 * A command's help with its examples, placed before the options every command takes (the
 * help's last block) so the command's own part stays together.
 */
export function withExamples(help: string, name: string, globalOptions: string): string {
  const examples = EXAMPLES[name];
  if (!examples?.length) return help;
  const block = `Examples:\n${examples.map((e) => `  ${e}`).join('\n')}\n\n`;
  const at = help.lastIndexOf(globalOptions);
  return at < 0 ? `${help}\n\n${block.trimEnd()}` : help.slice(0, at) + block + help.slice(at);
}

/** The known name closest to a mistyped one, when it is close enough to be what was meant. */
export function closestName(typed: string, known: readonly string[]): string | undefined {
  if (!typed || known.length === 0) return undefined;
  const best = closest(typed, [...known]);
  // Up to a third of the word may be wrong: "reviews lst", "--limt", not "report" for "repo x y".
  return distance(typed, best) <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined;
}

/** What to say for a command we do not have: the closest one, or where the list is. */
export function unknownCommandMessage(typed: string, commands: readonly string[]): string {
  const group = typed.split(' ')[0]!;
  const sameGroup = commands.filter((c) => c.startsWith(`${group} `));
  const guess = closestName(typed, commands);
  const lines = [`Unknown command "${typed}".`];
  if (guess) lines.push(`Did you mean "parcelwarden ${guess}"?`);
  else if (sameGroup.length)
    lines.push(`The ${group} commands: ${sameGroup.map((c) => `"${c}"`).join(', ')}.`);
  lines.push('Run `parcelwarden --help` for every command.');
  return lines.join('\n');
}

/**
 * node:util parseArgs' refusal of an option the command does not take, with the closest option
 * it does take; undefined for other errors.
 */
export function unknownOptionMessage(err: unknown, options: readonly string[]): string | undefined {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return undefined;
  const typed = /Unknown option '([^']+)'/.exec(e.message ?? '')?.[1];
  if (!typed) return undefined;
  const flags = options.map((o) => `--${o}`);
  const guess = closestName(typed.startsWith('--') ? typed : `-${typed}`, flags);
  return guess
    ? `Unknown option ${typed}. Did you mean ${guess}?`
    : `Unknown option ${typed}; this command takes ${flags.join(', ')}.`;
}
