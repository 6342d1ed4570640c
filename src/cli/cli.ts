/**
 * `parcelwarden`: the command line for ops and analysts, a client of the HTTP API.
 * `run(argv, io)` returns the exit code: 0 done, 1 the API refused something (or rows failed),
 * 2 usage or connection problems.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_BATCH_DECISIONS } from '../../workflows/batch-review.contract';
import { STAGES } from '../../workflows/model/enums';
import { REVIEW_DECISIONS } from '../../workflows/shipment.contract';
import { MAX_PAGE } from '../http/pagination';
import { MAX_BATCH_REGISTRATIONS } from '../shipments/shipments.schemas';
import { BatchRefused, createBatchProgressView, runBatches } from './batch';
import { ApiProblem, CliError, createApiClient, type ApiClient } from './client';
import {
  checkBatchId,
  DECISION_COLUMNS_HELP,
  parseDecisionsCsv,
  splitBatches,
  type DecisionRow,
} from './decisions';
import { pct, relative, table } from './format';
import { cliVersion, unknownCommandMessage, unknownOptionMessage, withExamples } from './help';
import { COLUMNS, type RowError } from './import.rows';
import { errorReportCsv, importShipments } from './import';
import { createProgress } from './progress';
import { SHOPS_COMMAND_LINES, shopsCommands } from './shops';
import { channelsCommands } from './channels';
import { importStockFile, STOCK_MODES, type StockMode } from './stock';

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
  /** Standard input as text, for `-` in place of a file. */
  readStdin?(): Promise<string>;
}

const GLOBAL_OPTIONS = `Options of every command:
  --url <url>   API base URL (env PARCELWARDEN_URL; default http://127.0.0.1:3000)
  --key <key>   API key (env PARCELWARDEN_API_KEY)
  --help        this help`;

/** How many matches `shipment search` shows unless told. */
const SEARCH_LIMIT = 20;

const HELP = {
  main: `parcelwarden: the Parcelwarden command line (a client of the HTTP API)

Usage: parcelwarden <command> [options]

Commands:
  import shipments <file.csv>      register shipments from a CSV export
  reviews list                     the review queue, oldest first
  reviews decide <id> <decision>   decide a review: ${REVIEW_DECISIONS.join(' | ')}
  reviews batch <file.csv | ->     decide many reviews at once, with progress
  stock import <file.csv>          set or add stock levels per warehouse and SKU
  shipment show <id>               stage, suspicion, decision, reship, claim and timeline
  shipment search <text>           find shipments by order, tracking number, id, customer
                                   (also: shipments find <text>)
  report carriers                  loss and delay rates per carrier
${SHOPS_COMMAND_LINES}

Run \`parcelwarden <command> --help\` (or \`parcelwarden help <command>\`) for a command's options
and examples; \`parcelwarden --version\` prints the version.

${GLOBAL_OPTIONS}`,
  import: `Usage: parcelwarden import shipments <file.csv> [--errors <out.csv>] [--batch-size <n>]
                                     [--concurrency <n>] [--origin <CC>] [--policy <name>]

Registers one shipment per row through POST /v1/shipments:batch, up to ${MAX_BATCH_REGISTRATIONS} rows per request
(key of role ingest or admin). Rows the file itself gets wrong are reported without being sent;
each row succeeds or fails on its own, and rows the API could not start (503) are sent again.
Running the same file again is safe: rows already registered are counted, not duplicated.
Rows that fail are listed at the end (row, field, message) and, with --errors, written as CSV;
the exit code is then 1.

Options:
  --errors <out.csv>    write the per-row error report here
  --batch-size <n>      rows per request, 1..${MAX_BATCH_REGISTRATIONS} (default ${MAX_BATCH_REGISTRATIONS})
  --concurrency <n>     requests in flight (default 2)
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
  reviewsBatch: `Usage: parcelwarden reviews batch <file.csv | -> [--reviewer <name>] [--batch-id <id>] [--no-wait]
       parcelwarden reviews batch --all-pending --decision <decision> --reviewer <name> [--note <text>]

Decides many reviews through POST /v1/reviews:batch (key of role ops or admin). The API carries
each batch out as one workflow; every decision is idempotent and one that fails never blocks the
others. At most ${MAX_BATCH_DECISIONS} decisions go in one batch: a longer file is split into several batches,
sent one after the other. Progress is shown until every batch has finished, then the
failed decisions with their error codes; the exit code is 1 when any decision failed.
A file with a wrong row is refused whole (nothing is sent), with every wrong row listed.

Options:
  --reviewer <name>     who decides, for rows without a reviewer column (and for --all-pending)
  --batch-id <id>       id of the batch (several batches get -1, -2…); the same id and decisions
                        again is the same batch, not a second one. Default: a new random id
  --no-wait             send the batches and print their ids without following them
  --all-pending         decide the whole current review queue (GET /v1/reviews, every page)
  --decision <d>        with --all-pending: ${REVIEW_DECISIONS.join(' | ')}
  --note <text>         with --all-pending: a note kept with each decision

${DECISION_COLUMNS_HELP}

Use - as the file to read the CSV from standard input.

${GLOBAL_OPTIONS}`,
  stockImport: `Usage: parcelwarden stock import <file.csv> [--mode set|add] [--errors <out.csv>]
                                   [--import-key <key>]

Sends stock levels to POST /v1/stock:import (key of role ingest or admin). The API applies all
rows in one transaction or none: when a row is wrong nothing changes, every wrong row is listed
(row = line in the file, the header is line 1) and the exit code is 1. Sending the same file
again changes nothing.

Columns: warehouse_id, sku, quantity, mode (header row recommended; without one the columns are
taken in this order). mode is set (quantity on hand becomes the number) or add (the number is
added; negative removes). Warehouses must exist (PUT /v1/warehouses/<id>).

Options:
  --mode set|add        mode for rows that leave it blank (the API's default is set)
  --errors <out.csv>    write the per-row error report here
  --import-key <key>    Idempotency-Key of this import (default: the hash of its rows)

${GLOBAL_OPTIONS}`,
  shipmentShow: `Usage: parcelwarden shipment show <shipmentId> [--json]

The shipment as its workflow sees it: stage, suspicion, decision, reship, claim, notifications
and the timeline.

${GLOBAL_OPTIONS}`,
  shipmentSearch: `Usage: parcelwarden shipment search <text> [--stage <stage>] [--limit <n>] [--json]

Finds shipments by order number (ours, or the shop's order name with or without #), tracking
number (a replacement's finds the original too), shipment id or customer e-mail (each whole or
its beginning), or part of the customer's name; case does not matter. Newest first.

Options:
  --stage <stage>   only shipments in this stage: ${STAGES.join(', ')}
  --limit <n>       at most this many, 1..${MAX_PAGE} (default ${SEARCH_LIMIT})
  --json            the matches as JSON

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
  const all = { ...COMMON, ...options };
  try {
    return parseArgs({ args: argv, options: all, allowPositionals: true });
  } catch (err) {
    // A mistyped option gets the closest one the command takes.
    const message = unknownOptionMessage(err, Object.keys(all)) ?? (err as Error).message;
    throw new CliError(`${message}\n\n${help}`);
  }
}

function apiOf(values: Record<string, unknown>, env: CliIo['env'], timeoutMs?: number): ApiClient {
  return createApiClient({
    url: (values.url as string | undefined) ?? env.PARCELWARDEN_URL,
    key: (values.key as string | undefined) ?? env.PARCELWARDEN_API_KEY,
    timeoutMs,
  });
}

async function readInput(io: CliIo, file: string): Promise<string> {
  if (file === '-') {
    if (!io.readStdin) throw new CliError('Standard input cannot be read here; give a file.');
    return io.readStdin();
  }
  try {
    return await io.readFile(file);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
}

function printRowErrors(io: CliIo, errors: RowError[]): void {
  io.stdout.write(
    `\nErrors (row = line in the file, the header is line 1; 0 = the file as a whole):\n${table(
      ['row', 'field', 'message'],
      errors.map((e) => [e.row, e.field, e.message]),
    )}\n`,
  );
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
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      origin: { type: 'string' },
      policy: { type: 'string' },
    },
    HELP.import,
  );
  if (values.help) return print(io, HELP.import);
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new CliError(`Give exactly one CSV file.\n\n${HELP.import}`);
  const concurrency = positiveInt(values.concurrency, 'concurrency', 2);
  const batchSize = positiveInt(values['batch-size'], 'batch-size', MAX_BATCH_REGISTRATIONS);
  if (batchSize > MAX_BATCH_REGISTRATIONS)
    throw new CliError(`--batch-size must be at most ${MAX_BATCH_REGISTRATIONS}`);
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
    batchSize,
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

/** Every page of the review queue, oldest first, as decisions to take. */
async function pendingDecisions(
  api: ApiClient,
  decision: DecisionRow['decision'],
  reviewer: string,
  note: string | undefined,
): Promise<DecisionRow[]> {
  const out: DecisionRow[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { shipmentId: string }[]; nextCursor?: string | null } = await api.get(
      `/v1/reviews?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const r of page.items) {
      // A row is the position in the queue here; it names the decision in API errors.
      out.push({
        row: out.length + 1,
        shipmentId: r.shipmentId,
        decision,
        reviewer,
        ...(note ? { note } : {}),
      });
    }
    cursor = page.nextCursor ?? null;
  } while (cursor);
  return out;
}

async function reviewsBatch(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      reviewer: { type: 'string' },
      'batch-id': { type: 'string' },
      'no-wait': { type: 'boolean' },
      'all-pending': { type: 'boolean' },
      decision: { type: 'string' },
      note: { type: 'string' },
    },
    HELP.reviewsBatch,
  );
  if (values.help) return print(io, HELP.reviewsBatch);
  const [file, ...extra] = positionals;
  const allPending = values['all-pending'] === true;
  const reviewer = str(values.reviewer)?.trim();
  if (extra.length || (file && allPending) || (!file && !allPending))
    throw new CliError(
      `Give one CSV file (or - for standard input), or --all-pending.\n\n${HELP.reviewsBatch}`,
    );
  if (!allPending && (values.decision !== undefined || values.note !== undefined))
    throw new CliError(
      '--decision and --note go with --all-pending; in a file, put them in the decision and note columns.',
    );
  const api = apiOf(values, io.env);

  let decisions: DecisionRow[];
  if (allPending) {
    const decision = str(values.decision);
    if (!decision || !(REVIEW_DECISIONS as readonly string[]).includes(decision))
      throw new CliError(
        `With --all-pending say what to decide: --decision ${REVIEW_DECISIONS.join(' | ')}.`,
      );
    if (!reviewer) throw new CliError('Say who decides: --reviewer <name>.');
    decisions = await pendingDecisions(
      api,
      decision as DecisionRow['decision'],
      reviewer,
      str(values.note),
    );
    if (!decisions.length) return print(io, 'The review queue is empty: nothing to decide.');
    io.stdout.write(`${decisions.length} pending reviews: ${decision} by ${reviewer}\n`);
  } else {
    const parsed = parseDecisionsCsv(await readInput(io, file!), { reviewer });
    if (parsed.errors.length) {
      io.stdout.write(`The file has ${parsed.errors.length} problem(s); nothing was sent.\n`);
      printRowErrors(io, parsed.errors);
      return 1;
    }
    decisions = parsed.decisions;
  }

  const count = splitBatches(decisions).length;
  const batchId = str(values['batch-id']) ?? randomUUID();
  checkBatchId(batchId, count);
  if (count > 1)
    io.stdout.write(
      `${decisions.length} decisions are more than ${MAX_BATCH_DECISIONS} per batch: sending ${count} batches, one after the other.\n`,
    );
  const wait = values['no-wait'] !== true;
  let result;
  try {
    result = await runBatches({
      api,
      decisions,
      batchId,
      wait,
      progress: createBatchProgressView(io.stderr),
      onSubmitted: (id, size, i, n) =>
        io.stdout.write(
          `Batch ${id}${n > 1 ? ` (${i + 1} of ${n})` : ''}: ${size} decisions accepted.\n`,
        ),
    });
  } catch (err) {
    if (!(err instanceof BatchRefused)) throw err;
    io.stdout.write(`The API refused batch ${err.batchId}: ${err.detail}\n`);
    printRowErrors(io, err.errors);
    return 1;
  }
  if (!wait) {
    return print(
      io,
      `Not waiting. Follow a batch with GET ${api.url}/v1/reviews:batch/<id>` +
        ` (${result.batches.map((b) => b.batchId).join(', ')}).`,
    );
  }
  io.stdout.write(
    `${result.total} decisions: ${result.succeeded} succeeded` +
      `${result.duplicates ? ` (${result.duplicates} had been taken before)` : ''}, ${result.failed.length} failed\n`,
  );
  if (result.failed.length) {
    io.stdout.write(
      `\nFailed decisions:\n${table(
        ['shipment', 'decision', 'code', 'message'],
        result.failed.map((f) => [f.shipmentId, f.decision, f.error?.code, f.error?.message]),
      )}\n`,
    );
    return 1;
  }
  return 0;
}

async function stockImport(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { mode: { type: 'string' }, errors: { type: 'string' }, 'import-key': { type: 'string' } },
    HELP.stockImport,
  );
  if (values.help) return print(io, HELP.stockImport);
  const [file, ...extra] = positionals;
  if (!file || extra.length)
    throw new CliError(`Give exactly one CSV file.\n\n${HELP.stockImport}`);
  const mode = str(values.mode);
  if (mode !== undefined && !(STOCK_MODES as readonly string[]).includes(mode))
    throw new CliError(`--mode must be set or add, not "${mode}".`);
  // One transaction of up to 50,000 rows: give the API longer than for a single request.
  const api = apiOf(values, io.env, 300_000);
  const text = await readInput(io, file);
  const result = await importStockFile({
    api,
    text,
    mode: mode as StockMode | undefined,
    importKey: str(values['import-key']),
  });
  const out = str(values.errors);
  if (result.ok) {
    const a = result.answer;
    io.stdout.write(
      a.replayed
        ? `Already imported (import key ${a.importKey}): ${a.rows} rows, nothing changed this time.\n`
        : `Imported ${a.rows} rows: ${a.created} new stock levels, ${a.updated} updated (import key ${a.importKey}).\n`,
    );
    if (out) {
      await io.writeFile(out, errorReportCsv([]));
      io.stdout.write(`Error report (0 errors) written to ${out}\n`);
    }
    return 0;
  }
  io.stdout.write(`Refused: ${result.detail}\n`);
  printRowErrors(io, result.errors);
  if (out) {
    await io.writeFile(out, errorReportCsv(result.errors));
    io.stdout.write(`\nError report (${result.errors.length} errors) written to ${out}\n`);
  }
  return 1;
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

interface ShipmentListItem {
  shipmentId: string;
  stage: string;
  orderId: string;
  trackingNumber: string;
  carrier: string;
  destination: string;
  customerName?: string;
  shop?: { orderName?: string };
  createdAt: string;
}

async function shipmentSearch(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(
    argv,
    { stage: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    HELP.shipmentSearch,
  );
  if (values.help) return print(io, HELP.shipmentSearch);
  const text = positionals.join(' ').trim();
  if (!text) throw new CliError(`Give the text to search for.\n\n${HELP.shipmentSearch}`);
  const limit = positiveInt(values.limit, 'limit', SEARCH_LIMIT);
  if (limit > MAX_PAGE) throw new CliError(`--limit must be at most ${MAX_PAGE}`);
  const stage = str(values.stage);
  if (stage && !(STAGES as readonly string[]).includes(stage))
    throw new CliError(`"${stage}" is not a stage; use one of ${STAGES.join(', ')}`);
  const query = new URLSearchParams({ q: text, limit: String(limit) });
  if (stage) query.set('stage', stage);
  const { items, nextCursor } = await apiOf(values, io.env).get<{
    items: ShipmentListItem[];
    nextCursor: string | null;
  }>(`/v1/shipments?${query.toString()}`);
  if (values.json) return print(io, JSON.stringify(items, null, 2));
  if (!items.length) return print(io, `No shipment matches "${text}".`);
  const found = table(
    ['id', 'stage', 'order', 'tracking', 'customer', 'destination', 'created'],
    items.map((s) => [
      s.shipmentId,
      s.stage,
      s.shop?.orderName ? `${s.orderId} (${s.shop.orderName})` : s.orderId,
      `${s.carrier} ${s.trackingNumber}`,
      s.customerName ?? '',
      s.destination,
      relative(s.createdAt),
    ]),
  );
  return print(
    io,
    nextCursor ? `${found}\n\nMore match: narrow the search or raise --limit.` : found,
  );
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

type Command = { help: string; run: (argv: string[], io: CliIo) => Promise<number> };

const COMMAND_LIST: Record<string, Command> = {
  'import shipments': { help: HELP.import, run: importCommand },
  'reviews list': { help: HELP.reviewsList, run: reviewsList },
  'reviews decide': { help: HELP.reviewsDecide, run: reviewsDecide },
  'reviews batch': { help: HELP.reviewsBatch, run: reviewsBatch },
  'stock import': { help: HELP.stockImport, run: stockImport },
  'shipment show': { help: HELP.shipmentShow, run: shipmentShow },
  'shipment search': { help: HELP.shipmentSearch, run: shipmentSearch },
  // The same command under the name the plural-minded reach for.
  'shipments find': { help: HELP.shipmentSearch, run: shipmentSearch },
  'report carriers': { help: HELP.reportCarriers, run: reportCarriers },
  ...shopsCommands({ parse, api: apiOf, globalOptions: GLOBAL_OPTIONS }),
  ...channelsCommands({ parse, api: apiOf, globalOptions: GLOBAL_OPTIONS }),
};

/** Every command, its help with its examples. */
const COMMANDS: Record<string, Command> = Object.fromEntries(
  Object.entries(COMMAND_LIST).map(([name, c]) => [
    name,
    { ...c, help: withExamples(c.help, name, GLOBAL_OPTIONS) },
  ]),
);

const wantsHelp = (argv: string[]) => argv.includes('--help') || argv.includes('-h');

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [group, verb, ...rest] = argv;
  if (group === '--version' || group === '-V' || group === 'version') {
    return print(io, cliVersion());
  }
  // `help <command>` is `<command> --help`.
  if (group === 'help' && verb) return run([...argv.slice(1), '--help'], io);
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    io.stdout.write(`${HELP.main}\n`);
    return group ? 0 : 2;
  }
  const name = [group, verb].filter((w) => w && !w.startsWith('-')).join(' ');
  const command = COMMANDS[`${group} ${verb ?? ''}`];
  if (!command) {
    io.stderr.write(`${unknownCommandMessage(name, Object.keys(COMMANDS))}\n`);
    return 2;
  }
  if (wantsHelp(rest)) return print(io, command.help);
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
