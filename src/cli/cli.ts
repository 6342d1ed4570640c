/**
 * `parcelwarden`: the command line for ops and analysts, a client of the HTTP API.
 * `run(argv, io)` returns the exit code: 0 done, 1 the API refused something (or rows failed),
 * 2 usage or connection problems.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { REVIEW_DECISIONS } from '../../workflows/shipment.contract';
import { ApiProblem, CliError, createApiClient, type ApiClient } from './client';
import { pct, relative, table } from './format';
import { COLUMNS } from './import.rows';
import { errorReportCsv, importShipments } from './import';
import { createProgress } from './progress';

export interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: Out;
  stderr: Out;
  env: Record<string, string | undefined>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, text: string): Promise<void>;
}

const GLOBAL_OPTIONS = `Options of every command:
  --url <url>   API base URL (env PARCELWARDEN_URL; default http://127.0.0.1:3000)
  --key <key>   API key (env PARCELWARDEN_API_KEY)
  --help        this help`;

const HELP = {
  main: `parcelwarden: the Parcelwarden command line (a client of the HTTP API)

Usage: parcelwarden <command> [options]

Commands:
  import shipments <file.csv>      register shipments from a CSV export
  reviews list                     the review queue, oldest first
  reviews decide <id> <decision>   decide a review: ${REVIEW_DECISIONS.join(' | ')}
  shipment show <id>               stage, suspicion, decision, reship, claim and timeline
  report carriers                  loss and delay rates per carrier

Run \`parcelwarden <command> --help\` for a command's options.

${GLOBAL_OPTIONS}`,
  import: `Usage: parcelwarden import shipments <file.csv> [--errors <out.csv>] [--concurrency <n>]
                                     [--origin <CC>] [--policy <name>]

Registers one shipment per row through POST /v1/shipments (key of role ingest or admin).
Running the same file again is safe: rows already registered are counted, not duplicated.
Rows that fail are listed at the end (row, field, message) and, with --errors, written as CSV;
the exit code is then 1.

Options:
  --errors <out.csv>    write the per-row error report here
  --concurrency <n>     requests in flight (default 8)
  --origin <CC>         origin country for files without an origin_country column
  --policy <name>       policy for rows without a policy column (default "default")

Columns (header row required; names match ignoring case, spaces, _ and -; extra columns ignored;
* marks required ones):
${Object.entries(COLUMNS)
  .map(([c, d]) => `  ${d.required ? '*' : ' '} ${c.padEnd(24)} ${d.doc}`)
  .join('\n')}

${GLOBAL_OPTIONS}`,
  reviewsList: `Usage: parcelwarden reviews list [--limit <n>] [--json]

The pending reviews, oldest first: why, since when, the SLA, the value.

${GLOBAL_OPTIONS}`,
  reviewsDecide: `Usage: parcelwarden reviews decide <shipmentId> <decision> --reviewer <name> [--note <text>]

Decisions: ${REVIEW_DECISIONS.join(', ')}. Needs a key of role ops or admin.

${GLOBAL_OPTIONS}`,
  shipmentShow: `Usage: parcelwarden shipment show <shipmentId> [--json]

The shipment as its workflow sees it: stage, suspicion, decision, reship, claim, notifications
and the timeline.

${GLOBAL_OPTIONS}`,
  reportCarriers: `Usage: parcelwarden report carriers [--from <day>] [--to <day>] [--carrier <slug>]
                                [--destination <CC>] [--csv | --json]

Loss rate, delay rate and median transit per carrier from the analytics API (key of role
analyst or admin). --from is inclusive and --to exclusive, on the shipping date.

${GLOBAL_OPTIONS}`,
};

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON: Options = {
  url: { type: 'string' },
  key: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function parse(argv: string[], options: Options, help: string) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON, ...options }, allowPositionals: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n\n${help}`);
  }
}

function apiOf(values: Record<string, unknown>, env: CliIo['env']): ApiClient {
  return createApiClient({
    url: (values.url as string | undefined) ?? env.PARCELWARDEN_URL,
    key: (values.key as string | undefined) ?? env.PARCELWARDEN_API_KEY,
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function positiveInt(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number ≥ 1`);
  return n;
}

async function importCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      errors: { type: 'string' },
      concurrency: { type: 'string' },
      origin: { type: 'string' },
      policy: { type: 'string' },
    },
    HELP.import,
  );
  if (values.help) return print(io, HELP.import);
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new CliError(`Give exactly one CSV file.\n\n${HELP.import}`);
  const concurrency = positiveInt(values.concurrency, 'concurrency', 8);
  const api = apiOf(values, io.env);
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  // Fail fast, before any row, when the API is not there.
  await api.get('/healthz');
  const result = await importShipments({
    text,
    api,
    concurrency,
    defaults: { origin: str(values.origin), policy: str(values.policy) },
    progress: createProgress(io.stderr, 'rows'),
  });
  const failedRows = new Set(result.errors.map((e) => e.row)).size;
  io.stdout.write(
    `${result.rows} rows: ${result.created} registered, ${result.existing} already registered, ${failedRows} failed\n`,
  );
  if (result.errors.length) {
    io.stdout.write(
      `\nErrors (row = line in the file, the header is line 1):\n${table(
        ['row', 'field', 'message'],
        result.errors.map((e) => [e.row, e.field, e.message]),
      )}\n`,
    );
  }
  const out = str(values.errors);
  if (out) {
    await io.writeFile(out, errorReportCsv(result.errors));
    io.stdout.write(`\nError report (${result.errors.length} errors) written to ${out}\n`);
  }
  return result.errors.length ? 1 : 0;
}

interface ReviewItem {
  shipmentId: string;
  reason: string;
  detectedAt: string;
  slaDeadline: string;
  declaredValue: number;
  currency: string;
  carrier: string;
  destination: string;
}

async function reviewsList(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    argv,
    { limit: { type: 'string' }, json: { type: 'boolean' } },
    HELP.reviewsList,
  );
  if (values.help) return print(io, HELP.reviewsList);
  const limit = positiveInt(values.limit, 'limit', 100);
  const { items } = await apiOf(values, io.env).get<{ items: ReviewItem[] }>(
    `/v1/reviews?limit=${limit}`,
  );
  if (values.json) return print(io, JSON.stringify(items, null, 2));
  if (!items.length) return print(io, 'The review queue is empty.');
  return print(
    io,
    table(
      ['shipment', 'reason', 'suspected', 'SLA', 'value', 'carrier', 'to'],
      items.map((r) => [
        r.shipmentId,
        r.reason,
        relative(r.detectedAt),
        relative(r.slaDeadline),
        `${r.declaredValue} ${r.currency}`,
        r.carrier,
        r.destination,
      ]),
    ),
  );
}

async function reviewsDecide(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { reviewer: { type: 'string' }, note: { type: 'string' } },
    HELP.reviewsDecide,
  );
  if (values.help) return print(io, HELP.reviewsDecide);
  const [id, decision, ...extra] = positionals;
  if (!id || !decision || extra.length)
    throw new CliError(`Give a shipment id and a decision.\n\n${HELP.reviewsDecide}`);
  if (!(REVIEW_DECISIONS as readonly string[]).includes(decision))
    throw new CliError(
      `"${decision}" is not a decision; use one of ${REVIEW_DECISIONS.join(', ')}.`,
    );
  const reviewer = str(values.reviewer);
  if (!reviewer) throw new CliError('Say who decides: --reviewer <name>.');
  const res = await apiOf(values, io.env).post<{ stage: string; duplicate?: boolean }>(
    `/v1/shipments/${encodeURIComponent(id)}/review`,
    { decision, reviewer, ...(values.note ? { note: values.note } : {}) },
  );
  return print(
    io,
    res.body.duplicate
      ? `${id}: ${decision} by ${reviewer} had already been taken; the shipment is ${res.body.stage}.`
      : `${id}: ${decision} by ${reviewer}; the shipment is now ${res.body.stage}.`,
  );
}

interface ShipmentView {
  shipmentId: string;
  stage: string;
  resolution?: string;
  policy?: string;
  source?: string;
  lastEvent?: { status: string; occurredAt: string; description?: string };
  suspicion?: { reason: string; detectedAt: string; detail?: string };
  review?: { decision: string; reviewer: string; decidedAt: string; note?: string };
  reship?: { shipmentId: string; carrier: string; trackingNumber: string; warehouseId: string };
  claim?: { claimId: string; status: string; amount: number; currency?: string };
  notifications?: { kind: string; to: string; sentAt: string }[];
  timeline?: { at: string; kind: string; detail: string }[];
}

async function shipmentShow(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, HELP.shipmentShow);
  if (values.help) return print(io, HELP.shipmentShow);
  const [id, ...extra] = positionals;
  if (!id || extra.length) throw new CliError(`Give one shipment id.\n\n${HELP.shipmentShow}`);
  const s = await apiOf(values, io.env).get<ShipmentView>(
    `/v1/shipments/${encodeURIComponent(id)}`,
  );
  if (values.json) return print(io, JSON.stringify(s, null, 2));
  const lines = [
    `Shipment   ${s.shipmentId}`,
    `Stage      ${s.stage}${s.resolution ? ` (${s.resolution})` : ''}${s.source === 'read_model' ? '  [from the read model: the workflow did not answer]' : ''}`,
  ];
  if (s.policy) lines.push(`Policy     ${s.policy}`);
  if (s.lastEvent)
    lines.push(
      `Last scan  ${s.lastEvent.status}${s.lastEvent.description ? `: ${s.lastEvent.description}` : ''} (${s.lastEvent.occurredAt})`,
    );
  if (s.suspicion)
    lines.push(
      `Suspicion  ${s.suspicion.reason} since ${s.suspicion.detectedAt}${s.suspicion.detail ? `: ${s.suspicion.detail}` : ''}`,
    );
  if (s.review)
    lines.push(
      `Decision   ${s.review.decision} by ${s.review.reviewer} at ${s.review.decidedAt}${s.review.note ? ` (${s.review.note})` : ''}`,
    );
  if (s.reship)
    lines.push(
      `Reship     ${s.reship.shipmentId} via ${s.reship.carrier} ${s.reship.trackingNumber} from ${s.reship.warehouseId}`,
    );
  if (s.claim)
    lines.push(
      `Claim      ${s.claim.claimId} ${s.claim.status}, ${s.claim.amount}${s.claim.currency ? ` ${s.claim.currency}` : ''}`,
    );
  for (const n of s.notifications ?? [])
    lines.push(`Message    ${n.kind} to ${n.to} at ${n.sentAt}`);
  if (s.timeline?.length) {
    lines.push('', 'Timeline');
    lines.push(
      table(
        ['at', 'what', 'detail'],
        s.timeline.map((t) => [t.at, t.kind, t.detail]),
      ),
    );
  }
  return print(io, lines.join('\n'));
}

interface CarrierRow {
  carrier: string;
  shipments: number;
  resolved: number;
  lost: number;
  lossRate: number | null;
  delayRate: number | null;
  flaggedRate: number | null;
  medianTransitDays: number | null;
}

async function reportCarriers(argv: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      carrier: { type: 'string' },
      destination: { type: 'string' },
      csv: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    HELP.reportCarriers,
  );
  if (values.help) return print(io, HELP.reportCarriers);
  const query = new URLSearchParams();
  for (const k of ['from', 'to', 'carrier', 'destination'] as const) {
    const v = str(values[k]);
    if (v) query.set(k, v);
  }
  const api = apiOf(values, io.env);
  const qs = query.toString();
  const path = `/v1/analytics/carriers${qs ? `?${qs}` : ''}`;
  if (values.csv) {
    io.stdout.write(await api.text(path, 'text/csv'));
    return 0;
  }
  const { items } = await api.get<{ items: CarrierRow[] }>(path);
  if (values.json) return print(io, JSON.stringify(items, null, 2));
  if (!items.length) return print(io, 'No shipments match these filters.');
  return print(
    io,
    table(
      [
        'carrier',
        'shipments',
        'resolved',
        'lost',
        'loss rate',
        'delay rate',
        'flagged',
        'median transit (d)',
      ],
      items.map((r) => [
        r.carrier,
        r.shipments,
        r.resolved,
        r.lost,
        pct(r.lossRate),
        pct(r.delayRate),
        pct(r.flaggedRate),
        r.medianTransitDays,
      ]),
    ),
  );
}

function print(io: CliIo, text: string): number {
  io.stdout.write(`${text}\n`);
  return 0;
}

const COMMANDS: Record<
  string,
  { help: string; run: (argv: string[], io: CliIo) => Promise<number> }
> = {
  'import shipments': { help: HELP.import, run: importCommand },
  'reviews list': { help: HELP.reviewsList, run: reviewsList },
  'reviews decide': { help: HELP.reviewsDecide, run: reviewsDecide },
  'shipment show': { help: HELP.shipmentShow, run: shipmentShow },
  'report carriers': { help: HELP.reportCarriers, run: reportCarriers },
};

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [group, verb, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    io.stdout.write(`${HELP.main}\n`);
    return group ? 0 : 2;
  }
  const command = COMMANDS[`${group} ${verb ?? ''}`];
  if (!command) {
    io.stderr.write(
      `Unknown command "${[group, verb].filter(Boolean).join(' ')}".\n\n${HELP.main}\n`,
    );
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`parcelwarden: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ApiProblem) {
      io.stderr.write(`parcelwarden: the API refused: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
