import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchProgress } from '../../workflows/batch-review.contract';
import { countsLine, createBatchProgressView, progressBar, runBatches } from '../../src/cli/batch';
import { run, type CliIo } from '../../src/cli/cli';
import { ApiProblem, CliError } from '../../src/cli/client';
import {
  batchIds,
  checkBatchId,
  parseDecisionsCsv,
  rowErrorOf,
  splitBatches,
  type DecisionRow,
} from '../../src/cli/decisions';
import { stockRowErrors, withDefaultMode } from '../../src/cli/stock';
import { parseCsv } from '../../src/cli/csv';
import { errorReportCsv, importShipments, rowErrorsFromProblem } from '../../src/cli/import';
import { mapRow, parseItems, readHeader, safeId, type Column } from '../../src/cli/import.rows';
import { createProgress } from '../../src/cli/progress';

const HEADER =
  'Order ID,Tracking Number,Carrier,Origin Country,Destination Country,Destination Line1,Destination City,Destination Region,Destination Postal Code,Customer Name,Customer Email,Customer Locale,Items,Declared Value,Currency,Shipped At';
const GOOD =
  '#1001,LX123456789CN,YANWEN,CN,us,1 Market St,San Francisco,CA,94105,Ada Buyer,ada@example.com,en-US,MUG-1:2:9.95;CAP:1:15,34.90,usd,2026-03-01T10:00:00+01:00';

function indexOf(header = HEADER): Map<Column, number> {
  const h = readHeader(parseCsv(header)[0]!.fields);
  if (!h.ok) throw new Error(`missing ${h.missing.join(', ')}`);
  return h.index;
}

describe('reading CSV (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and a BOM', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""","two\nlines"\n\n2,,last\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', 'two\nlines'] },
      { line: 5, fields: ['2', '', 'last'] },
    ]);
  });

  it('says on which line a quote is left open or misplaced', () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(/line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow(/line 2: a quote inside an unquoted field/);
  });
});

describe('mapping an export row to a shipment registration', () => {
  it('maps a Shopify-like row: header names in any case, items, money, countries and time normalised', () => {
    const [, record] = parseCsv(`${HEADER}\n${GOOD}`);
    const m = mapRow(record!, indexOf());
    expect(m).toEqual({
      ok: true,
      row: {
        row: 2,
        shipmentId: '1001-LX123456789CN',
        orderId: '#1001',
        body: {
          shipmentId: '1001-LX123456789CN',
          orderId: '#1001',
          marketplace: undefined,
          carrier: 'yanwen',
          trackingNumber: 'LX123456789CN',
          service: undefined,
          policy: 'default',
          origin: { country: 'CN', warehouseId: undefined },
          destination: {
            country: 'US',
            name: 'Ada Buyer',
            line1: '1 Market St',
            line2: undefined,
            city: 'San Francisco',
            region: 'CA',
            postalCode: '94105',
          },
          customer: { name: 'Ada Buyer', email: 'ada@example.com', locale: 'en-US' },
          items: [
            { sku: 'MUG-1', quantity: 2, unitPrice: 9.95 },
            { sku: 'CAP', quantity: 1, unitPrice: 15 },
          ],
          currency: 'USD',
          declaredValue: 34.9,
          shippedAt: '2026-03-01T09:00:00.000Z',
          expectedDeliveryAt: undefined,
        },
      },
    });
  });

  it('the same row always gives the same shipment id, so a re-run is idempotent', () => {
    const [, a] = parseCsv(`${HEADER}\n${GOOD}`);
    const [, b] = parseCsv(`${HEADER}\n${GOOD}`);
    const ma = mapRow(a!, indexOf());
    const mb = mapRow(b!, indexOf());
    expect(ma.ok && mb.ok && ma.row.body).toEqual(mb.ok && mb.row.body);
    expect(safeId('#A/1~R2 x')).toBe('A-1-R2-x');
  });

  it('reports every bad field of a row with its line, not only the first', () => {
    const bad =
      '#1002,,ups,,US,1 Main St,Austin,TX,73301,Bo,bo@example.com,en-US,MUG:two:9.95,"24,90",USD,01/03/2026';
    const [, record] = parseCsv(`${HEADER}\n${GOOD}\n${bad}`).slice(1);
    const m = mapRow(record!, indexOf());
    expect(m.ok).toBe(false);
    expect(!m.ok && m.errors).toEqual([
      { row: 3, field: 'tracking_number', message: 'is required' },
      {
        row: 3,
        field: 'origin_country',
        message: 'is required (or pass --origin CC for the whole file)',
      },
      {
        row: 3,
        field: 'items',
        message:
          'item 1 "MUG:two:9.95" must be sku:quantity:price with a whole quantity and a decimal price, e.g. MUG-1:2:9.95',
      },
      {
        row: 3,
        field: 'declared_value',
        message: '"24,90" must be a decimal number with a point, e.g. 34.90',
      },
      {
        row: 3,
        field: 'shipped_at',
        message:
          '"01/03/2026" must be ISO 8601 with a time zone (2026-03-01T10:00:00Z) or a day (2026-03-01)',
      },
    ]);
  });

  it('a row marks its carrier as outside the catalogue only with a yes in carrier_unlisted', () => {
    const header = `${HEADER},Carrier Unlisted`;
    const rows = ['yes', 'TRUE', '1', 'no', '', 'maybe'].map(
      (flag) => parseCsv(`${header}\n${GOOD},${flag}`)[1]!,
    );
    const mapped = rows.map((r) => mapRow(r, indexOf(header)));
    expect(mapped.map((m) => m.ok && m.row.body.carrierUnlisted)).toEqual([
      true,
      true,
      true,
      undefined,
      undefined,
      false,
    ]);
    expect(!mapped[5]!.ok && mapped[5]!.errors).toEqual([
      {
        row: 2,
        field: 'carrier_unlisted',
        message: '"maybe" must be true or false (or left empty)',
      },
    ]);
    const plain = mapRow(parseCsv(`${HEADER}\n${GOOD}`)[1]!, indexOf());
    expect(plain.ok && plain.row.body).not.toHaveProperty('carrierUnlisted', true);
  });

  it('file-wide defaults fill the origin and the policy; a day is midnight UTC', () => {
    const header = HEADER.replace('Origin Country,', '');
    const row = GOOD.replace(',CN,', ',').replace('2026-03-01T10:00:00+01:00', '2026-03-02');
    const [, record] = parseCsv(`${header}\n${row}`);
    const m = mapRow(record!, indexOf(header), { origin: 'de', policy: 'eu-fast' });
    expect(m.ok && m.row.body).toMatchObject({
      origin: { country: 'DE' },
      policy: 'eu-fast',
      shippedAt: '2026-03-02T00:00:00.000Z',
    });
  });

  it('a header without required columns is refused by name', () => {
    expect(readHeader(['order_id', 'carrier'])).toMatchObject({
      ok: false,
      missing: expect.arrayContaining(['tracking_number', 'items', 'shipped_at']),
    });
  });

  it('items: the sku may contain colons; the last two parts are quantity and price', () => {
    expect(parseItems('A:B:3:1.5; C:1:0')).toEqual({
      items: [
        { sku: 'A:B', quantity: 3, unitPrice: 1.5 },
        { sku: 'C', quantity: 1, unitPrice: 0 },
      ],
    });
  });
});

describe('the error report', () => {
  it('maps the API field errors of a rejected row back to CSV columns', () => {
    const problem = new ApiProblem(400, {
      title: 'Validation failed',
      code: 'validation.failed',
      errors: [
        { path: 'customer.email', message: 'must be an e-mail address' },
        { path: 'destination.country', message: 'must be an ISO 3166-1 alpha-2 country code' },
        { path: 'items.1.quantity', message: 'must be at least 1' },
      ],
    });
    expect(rowErrorsFromProblem(7, problem)).toEqual([
      { row: 7, field: 'customer_email', message: 'must be an e-mail address' },
      {
        row: 7,
        field: 'destination_country',
        message: 'must be an ISO 3166-1 alpha-2 country code',
      },
      { row: 7, field: 'items', message: 'item 2 quantity: must be at least 1' },
    ]);
    const conflict = new ApiProblem(409, {
      code: 'shipment.conflict',
      detail: 'Tracking number "X" of carrier "ups" already belongs to shipment "S".',
    });
    expect(rowErrorsFromProblem(9, conflict)[0]?.field).toBe('tracking_number');
  });

  it('reports an unknown carrier on the carrier column, with the suggestion', () => {
    const unknown = new ApiProblem(422, {
      code: 'carrier.unknown',
      detail:
        'Unknown carrier "yanwn"; did you mean "yanwen"? Known carriers (GET /v1/carriers): …',
      errors: [
        {
          path: 'carrier',
          message:
            'unknown carrier "yanwn"; did you mean "yanwen"? A carrier outside GET /v1/carriers must be marked unlisted.',
        },
      ],
    });
    expect(rowErrorsFromProblem(4, unknown)).toEqual([
      {
        row: 4,
        field: 'carrier',
        message:
          'unknown carrier "yanwn"; did you mean "yanwen"? A carrier outside GET /v1/carriers must be marked unlisted.',
      },
    ]);
  });

  it('is CSV with a header; messages with commas and quotes survive a round trip', () => {
    const csv = errorReportCsv([
      { row: 3, field: 'declared_value', message: '"24,90" must be a decimal number' },
      { row: 8, field: 'items', message: 'is required' },
    ]);
    expect(csv.split('\r\n')[0]).toBe('row,field,message');
    expect(parseCsv(csv).map((r) => r.fields)).toEqual([
      ['row', 'field', 'message'],
      ['3', 'declared_value', '"24,90" must be a decimal number'],
      ['8', 'items', 'is required'],
    ]);
  });
});

/**
 * A stand-in for `POST /v1/shipments:batch`: answers each item by shipment id (a status, or a
 * problem that becomes the item's problem), or the whole request with `refuse`; counts requests in
 * flight and records what each request carried.
 */
function fakeApi(
  answer: (body: { shipmentId: string }, attempt: number) => number | ApiProblem,
  refuse?: (call: number, size: number) => ApiProblem | undefined,
) {
  const attempts = new Map<string, number>();
  const state = { inFlight: 0, maxInFlight: 0, calls: 0, sent: [] as string[][] };
  return {
    state,
    async post(path: string, body: unknown) {
      expect(path).toBe('/v1/shipments:batch');
      const items = (body as { shipments: { shipmentId: string }[] }).shipments;
      expect(items.length).toBeGreaterThanOrEqual(1);
      expect(items.length).toBeLessThanOrEqual(500);
      const call = ++state.calls;
      state.sent.push(items.map((b) => b.shipmentId));
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((r) => setTimeout(r, 1));
      state.inFlight--;
      const whole = refuse?.(call, items.length);
      if (whole) throw whole;
      const results = items.map((b, index) => {
        const n = (attempts.get(b.shipmentId) ?? 0) + 1;
        attempts.set(b.shipmentId, n);
        const a = answer(b, n);
        return a instanceof ApiProblem
          ? { index, shipmentId: b.shipmentId, status: a.status, problem: a.problem }
          : { index, shipmentId: b.shipmentId, status: a };
      });
      return { status: 200, body: { results } as never };
    },
  };
}

describe('importing a file', () => {
  const rows = (n: number) =>
    [HEADER, ...Array.from({ length: n }, (_, i) => GOOD.replace('#1001', `#${2000 + i}`))].join(
      '\n',
    );

  it('registers the rows in batches a few at a time, resends only busy rows, and reports rejected rows', async () => {
    const api = fakeApi((b, attempt) => {
      if (b.shipmentId.startsWith('2003-')) return attempt < 3 ? new ApiProblem(503, {}) : 201;
      if (b.shipmentId.startsWith('2005-'))
        return new ApiProblem(422, { code: 'policy.not_found', detail: 'no policy "x"' });
      if (b.shipmentId.startsWith('2007-')) return 200;
      return 201;
    });
    const sleeps: number[] = [];
    const result = await importShipments({
      text: rows(20),
      api,
      batchSize: 3,
      concurrency: 4,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(result).toEqual({
      rows: 20,
      created: 18,
      existing: 1,
      errors: [{ row: 7, field: 'policy', message: 'no policy "x"' }],
    });
    expect(api.state.maxInFlight).toBe(4);
    expect(sleeps).toEqual([500, 1000]);
    // 7 batches of at most 3; the busy row is then sent again alone, twice.
    expect(api.state.calls).toBe(9);
    expect(api.state.sent.slice(0, 7).every((ids) => ids.length <= 3)).toBe(true);
    const busy = api.state.sent.filter((ids) => ids.some((id) => id.startsWith('2003-')));
    expect(busy.map((ids) => ids.length)).toEqual([3, 1, 1]);
  });

  it("reports a batch item's field errors against the file's line and column", async () => {
    const api = fakeApi((b) =>
      b.shipmentId.startsWith('2004-')
        ? new ApiProblem(422, {
            code: 'validation.failed',
            // The item's index in the request: the 2nd batch of 3 holds rows 3..5, 2004 is index 1.
            errors: [
              { path: 'shipments.1.customer.email', message: 'must be an e-mail address' },
              { path: 'shipments.1.items.0.quantity', message: 'must be at least 1' },
            ],
          })
        : 201,
    );
    const result = await importShipments({
      text: rows(8),
      api,
      batchSize: 3,
      sleep: async () => {},
    });
    expect(result.created).toBe(7);
    expect(result.errors).toEqual([
      { row: 6, field: 'customer_email', message: 'must be an e-mail address' },
      { row: 6, field: 'items', message: 'item 1 quantity: must be at least 1' },
    ]);
  });

  it('sends a whole batch again when the request itself was refused as busy, then gives up with each row reported', async () => {
    const busy = new ApiProblem(503, { title: 'Service Unavailable', detail: 'try again' });
    const flaky = fakeApi(
      () => 201,
      (call) => (call === 1 ? busy : undefined),
    );
    const sleeps: number[] = [];
    const ok = await importShipments({
      text: rows(4),
      api: flaky,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(ok).toMatchObject({ created: 4, errors: [] });
    expect(flaky.state.sent.map((ids) => ids.length)).toEqual([4, 4]);
    expect(sleeps).toEqual([500]);

    const down = fakeApi(
      () => 201,
      () => busy,
    );
    const failed = await importShipments({ text: rows(2), api: down, sleep: async () => {} });
    expect(down.state.calls).toBe(4);
    expect(failed.created).toBe(0);
    expect(failed.errors).toEqual([
      { row: 2, field: '', message: 'try again' },
      { row: 3, field: '', message: 'try again' },
    ]);
  });

  it('a request too large for the API is split in halves until it fits', async () => {
    const api = fakeApi(
      () => 201,
      (_call, size) => (size > 2 ? new ApiProblem(413, { title: 'Payload Too Large' }) : undefined),
    );
    const result = await importShipments({ text: rows(5), api, sleep: async () => {} });
    expect(result).toMatchObject({ rows: 5, created: 5, errors: [] });
    expect(api.state.sent.map((ids) => ids.length)).toEqual([5, 3, 2, 1, 2]);
  });

  it('rows the file gets wrong are reported without being sent', async () => {
    const api = fakeApi(() => 201);
    const result = await importShipments({
      text: `${rows(2)}\n${GOOD.replace('#1001', '#2999').replace(',CN,', ',,')}`,
      api,
      sleep: async () => {},
    });
    expect(result.rows).toBe(3);
    expect(result.created).toBe(2);
    expect(result.errors).toEqual([
      {
        row: 4,
        field: 'origin_country',
        message: 'is required (or pass --origin CC for the whole file)',
      },
    ]);
    expect(api.state.sent.flat().some((id) => id.startsWith('2999-'))).toBe(false);
  });

  it('stops with the fix when the key may not register shipments', async () => {
    const api = fakeApi(
      () => 201,
      () => new ApiProblem(403, { code: 'auth.forbidden' }),
    );
    await expect(importShipments({ text: rows(3), api })).rejects.toThrow(
      /may not register shipments \(auth.forbidden\): use a key of role ingest or admin/,
    );
  });

  it('on a pipe, progress is a line per tenth, not a redrawn bar', async () => {
    const written: string[] = [];
    const progress = createProgress({ write: (s) => written.push(s), isTTY: false }, 'rows');
    await importShipments({ text: rows(20), api: fakeApi(() => 201), progress });
    expect(written[0]).toBe('rows 0/20\n');
    expect(written.at(-1)).toBe('rows 20/20\n');
    expect(written.length).toBe(11);
    expect(written.every((w) => !w.includes('\r'))).toBe(true);
  });

  it('on a terminal, progress is one bar redrawn in place', () => {
    const written: string[] = [];
    let t = 0;
    const p = createProgress(
      { write: (s) => written.push(s), isTTY: true, columns: 80 },
      'rows',
      () => (t += 100),
    );
    p.start(4);
    p.tick(true);
    p.tick(false);
    p.tick(true);
    p.tick(true);
    p.done();
    expect(written.at(-2)).toMatch(/^\r\[#{40}\] rows 4\/4 \(1 failed\)$/);
    expect(written.at(-1)).toBe('\n');
  });
});

describe('the command line', () => {
  function io(env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const cli: CliIo = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env,
      readFile: () => Promise.reject(new Error('ENOENT: no such file')),
      writeFile: () => Promise.resolve(),
    };
    return { cli, out: () => out.join(''), err: () => err.join('') };
  }

  it('without a key it says how to give one', async () => {
    const t = io();
    expect(await run(['reviews', 'list'], t.cli)).toBe(2);
    expect(t.err()).toContain('set PARCELWARDEN_API_KEY or pass --key');
  });

  it('with the API down it names the URL that failed and how to start the API', async () => {
    const t = io({ PARCELWARDEN_API_KEY: 'k', PARCELWARDEN_URL: 'http://127.0.0.1:9' });
    expect(await run(['report', 'carriers'], t.cli)).toBe(2);
    expect(t.err()).toContain(
      'Cannot reach the Parcelwarden API at http://127.0.0.1:9/v1/analytics/carriers',
    );
    expect(t.err()).toContain('npm start');
  });

  it('every command has --help, and the import help documents the columns', async () => {
    for (const cmd of [
      ['import', 'shipments'],
      ['reviews', 'list'],
      ['reviews', 'decide'],
      ['shipment', 'show'],
      ['shipment', 'search'],
      ['report', 'carriers'],
      ['reviews', 'batch'],
      ['stock', 'import'],
    ]) {
      const t = io();
      expect(await run([...cmd, '--help'], t.cli), cmd.join(' ')).toBe(0);
      expect(t.out(), cmd.join(' ')).toContain(`parcelwarden ${cmd.join(' ')}`);
    }
    const t = io();
    await run(['import', 'shipments', '--help'], t.cli);
    expect(t.out()).toMatch(/\* items\s+sku:quantity:unit price/);
    expect(t.out()).toContain('POST /v1/shipments:batch');
    expect(t.out()).toMatch(/--batch-size <n>\s+rows per request, 1\.\.500/);
  });

  it('an unknown decision or command is refused before anything is sent', async () => {
    const t = io({ PARCELWARDEN_API_KEY: 'k' });
    expect(await run(['reviews', 'decide', 'S1', 'burn', '--reviewer', 'x'], t.cli)).toBe(2);
    expect(t.err()).toContain('"burn" is not a decision; use one of reship, refund');
    const u = io();
    expect(await run(['reviews', 'approve'], u.cli)).toBe(2);
    expect(u.err()).toContain('Unknown command "reviews approve"');
  });

  it('a file that cannot be read is named', async () => {
    const t = io({ PARCELWARDEN_API_KEY: 'k' });
    expect(await run(['import', 'shipments', 'missing.csv'], t.cli)).toBe(2);
    expect(t.err()).toContain('Cannot read missing.csv: ENOENT');
  });

  it('a batch size above what the API takes is refused before the file is read', async () => {
    const t = io({ PARCELWARDEN_API_KEY: 'k' });
    expect(await run(['import', 'shipments', 'orders.csv', '--batch-size', '501'], t.cli)).toBe(2);
    expect(t.err()).toContain('--batch-size must be at most 500');
    const u = io({ PARCELWARDEN_API_KEY: 'k' });
    expect(await run(['import', 'shipments', 'orders.csv', '--batch-size', '0'], u.cli)).toBe(2);
    expect(u.err()).toContain('--batch-size must be a whole number ≥ 1');
  });
});

describe('reading a file of review decisions', () => {
  it('reads shipment, decision, reviewer and note in any header spelling, the reviewer defaulting to --reviewer', () => {
    const text =
      'Shipment ID,Decision,Reviewer,Note\n' +
      'S-1,refund,,\n' +
      'S-2,Keep Waiting,olga@ops,"carrier says ""in customs"", wait"\n' +
      'S-3,mark-delivered,,\n';
    expect(parseDecisionsCsv(text, { reviewer: 'ivan@ops' })).toEqual({
      errors: [],
      decisions: [
        { row: 2, shipmentId: 'S-1', decision: 'refund', reviewer: 'ivan@ops' },
        {
          row: 3,
          shipmentId: 'S-2',
          decision: 'keep_waiting',
          reviewer: 'olga@ops',
          note: 'carrier says "in customs", wait',
        },
        { row: 4, shipmentId: 'S-3', decision: 'mark_delivered', reviewer: 'ivan@ops' },
      ],
    });
  });

  it('lists every wrong row by line and column: unknown decision, no reviewer, a shipment decided twice', () => {
    const text =
      'shipment_id,decision\n' + 'S-1,refund\n' + 'S-2,burn\n' + ',refund\n' + 'S-1,reship\n';
    const { decisions, errors } = parseDecisionsCsv(text);
    expect(errors).toEqual([
      { row: 2, field: 'reviewer', message: expect.stringContaining('pass --reviewer') },
      { row: 3, field: 'decision', message: expect.stringContaining('"burn" is not one of') },
      { row: 3, field: 'reviewer', message: expect.stringContaining('is required') },
      { row: 4, field: 'shipment_id', message: 'is required' },
      { row: 4, field: 'reviewer', message: expect.stringContaining('is required') },
      { row: 5, field: 'reviewer', message: expect.stringContaining('is required') },
      { row: 5, field: 'shipment_id', message: 'already has a decision in row 2' },
    ]);
    expect(decisions).toEqual([]);
  });

  it('refuses a file without the shipment or decision column, naming the columns it expects', () => {
    expect(() => parseDecisionsCsv('id,what\nS-1,refund\n')).toThrow(CliError);
    expect(() => parseDecisionsCsv('id,what\nS-1,refund\n')).toThrow(
      /lacks column\(s\) shipmentId, decision[\s\S]*\* shipment_id/,
    );
    expect(() => parseDecisionsCsv('shipment_id,decision\n')).toThrow(/no decisions/);
  });
});

describe('splitting decisions into batches the API takes', () => {
  it('splits 1,201 decisions into batches of 500, 500 and 201, in file order', () => {
    const items = Array.from({ length: 1201 }, (_, i) => i);
    const parts = splitBatches(items);
    expect(parts.map((p) => p.length)).toEqual([500, 500, 201]);
    expect(parts[1]![0]).toBe(500);
    expect(parts.flat()).toEqual(items);
    expect(splitBatches(items.slice(0, 500))).toHaveLength(1);
  });

  it('numbers the batch ids only when there are several, and refuses an id the API would not take', () => {
    expect(batchIds('friday', 1)).toEqual(['friday']);
    expect(batchIds('friday', 3)).toEqual(['friday-1', 'friday-2', 'friday-3']);
    expect(() => checkBatchId('friday run', 1)).toThrow(/--batch-id "friday run" cannot be used/);
    expect(() => checkBatchId('x'.repeat(127), 1)).not.toThrow();
    expect(() => checkBatchId('x'.repeat(127), 2)).toThrow(/"-2" appended for the 2 batches/);
  });

  it('points an API field error on a batch back at the line of the file', () => {
    const batch: DecisionRow[] = [
      { row: 2, shipmentId: 'A', decision: 'refund', reviewer: 'x' },
      { row: 7, shipmentId: 'B', decision: 'refund', reviewer: 'x' },
    ];
    expect(rowErrorOf(batch, { path: 'decisions.1.shipmentId', message: 'bad' })).toEqual({
      row: 7,
      field: 'shipment_id',
      message: 'bad',
    });
    expect(rowErrorOf(batch, { path: 'batchId', message: 'bad' })).toEqual({
      row: 0,
      field: 'batchId',
      message: 'bad',
    });
  });
});

describe('showing the progress of a batch', () => {
  it('words the counts as done/total, succeeded, failed and fills the bar in proportion', () => {
    const c = { done: 120, total: 480, succeeded: 118, failed: 2 };
    expect(countsLine(c)).toBe('120/480 done, 118 succeeded, 2 failed');
    expect(progressBar(c, 80)).toBe(
      `[${'#'.repeat(8)}${'.'.repeat(22)}] 120/480 done, 118 succeeded, 2 failed`,
    );
    expect(progressBar({ ...c, done: 480 }, 200)).toMatch(/^\[#{40}\] 480\/480/);
  });

  it('in a log, writes a line only when the counts change', () => {
    const written: string[] = [];
    const view = createBatchProgressView({ write: (s: string) => written.push(s) });
    view.update({ done: 0, total: 4, succeeded: 0, failed: 0 });
    view.update({ done: 0, total: 4, succeeded: 0, failed: 0 });
    view.update({ done: 2, total: 4, succeeded: 1, failed: 1 }, 'batch 1 of 2');
    view.update({ done: 2, total: 4, succeeded: 1, failed: 1 }, 'batch 1 of 2');
    view.finish();
    expect(written).toEqual([
      '0/4 done, 0 succeeded, 0 failed\n',
      'batch 1 of 2: 2/4 done, 1 succeeded, 1 failed\n',
    ]);
  });

  it('on a terminal, redraws one bar in place, blanking what a longer line left, and ends the line', () => {
    const written: string[] = [];
    const view = createBatchProgressView({
      write: (s: string) => written.push(s),
      isTTY: true,
      columns: 60,
    });
    view.update({ done: 10, total: 10, succeeded: 10, failed: 0 }, 'batch 1 of 2');
    view.update({ done: 1, total: 10, succeeded: 1, failed: 0 });
    view.finish();
    const first = `batch 1 of 2: [${'#'.repeat(10)}] 10/10 done, 10 succeeded, 0 failed`;
    const second = `[#.........] 1/10 done, 1 succeeded, 0 failed`;
    expect(written).toEqual([`\r${first}`, `\r${second.padEnd(first.length)}`, '\n']);
  });
});

describe('running a batch of decisions against the API', () => {
  it('sends 1,001 decisions as three batches one after the other, follows each, and collects the failures', async () => {
    const decisions: DecisionRow[] = Array.from({ length: 1001 }, (_, i) => ({
      row: i + 2,
      shipmentId: `S-${i}`,
      decision: 'refund',
      reviewer: 'olga',
    }));
    const posted: { batchId: string; size: number }[] = [];
    const polls = new Map<string, number>();
    const sizes = new Map<string, string[]>();
    const log: string[] = [];
    const api = {
      post: <T>(path: string, body: unknown) => {
        const b = body as { batchId: string; decisions: { shipmentId: string; row?: number }[] };
        expect(path).toBe('/v1/reviews:batch');
        expect(b.decisions[0]).not.toHaveProperty('row');
        // The next batch goes only once the one before has finished.
        for (const p of posted) expect(polls.get(p.batchId)).toBe(2);
        posted.push({ batchId: b.batchId, size: b.decisions.length });
        sizes.set(
          b.batchId,
          b.decisions.map((d) => d.shipmentId),
        );
        log.push(`post ${b.batchId}`);
        return Promise.resolve({ status: 202, body: { batchId: b.batchId } as T });
      },
      get: <T>(path: string) => {
        const id = decodeURIComponent(path.split('/').at(-1)!);
        const n = (polls.get(id) ?? 0) + 1;
        polls.set(id, n);
        const ids = sizes.get(id)!;
        // The first shipment of every batch fails; the second had been decided before.
        const items: BatchProgress['items'] = ids.map((shipmentId, i) =>
          i === 0
            ? {
                shipmentId,
                decision: 'refund',
                status: 'failed',
                error: { code: 'review.not_awaiting', message: 'not awaiting review' },
              }
            : { shipmentId, decision: 'refund', status: 'succeeded', duplicate: i === 1 },
        );
        const finished = n >= 2;
        const done = finished ? ids.length : 1;
        const progress: BatchProgress = {
          batchId: id,
          total: ids.length,
          done,
          succeeded: done - 1,
          failed: 1,
          finished,
          items: finished ? items : items.slice(0, 1),
        };
        return Promise.resolve(progress as T);
      },
    };
    const lines: string[] = [];
    const result = await runBatches({
      api,
      decisions,
      batchId: 'fri',
      wait: true,
      progress: createBatchProgressView({ write: (s: string) => lines.push(s) }),
      sleep: () => Promise.resolve(),
    });
    expect(posted).toEqual([
      { batchId: 'fri-1', size: 500 },
      { batchId: 'fri-2', size: 500 },
      { batchId: 'fri-3', size: 1 },
    ]);
    expect(result).toMatchObject({ total: 1001, succeeded: 998, duplicates: 2 });
    expect(result.failed.map((f) => [f.shipmentId, f.error?.code])).toEqual([
      ['S-0', 'review.not_awaiting'],
      ['S-500', 'review.not_awaiting'],
      ['S-1000', 'review.not_awaiting'],
    ]);
    // Counts add up over the batches, against the grand total.
    expect(lines).toEqual([
      'batch 1 of 3: 1/1001 done, 0 succeeded, 1 failed\n',
      'batch 1 of 3: 500/1001 done, 499 succeeded, 1 failed\n',
      'batch 2 of 3: 501/1001 done, 499 succeeded, 2 failed\n',
      'batch 2 of 3: 1000/1001 done, 998 succeeded, 2 failed\n',
      'batch 3 of 3: 1001/1001 done, 998 succeeded, 3 failed\n',
    ]);
  });

  it('keeps following through a moment when the progress cannot be read', async () => {
    let calls = 0;
    const api = {
      post: <T>() => Promise.resolve({ status: 202, body: {} as T }),
      get: <T>() => {
        calls++;
        if (calls === 1)
          return Promise.reject(
            new ApiProblem(503, { code: 'workflow.unavailable', title: 'Unavailable' }),
          );
        const p: BatchProgress = {
          batchId: 'b',
          total: 1,
          done: 1,
          succeeded: 1,
          failed: 0,
          finished: true,
          items: [{ shipmentId: 'A', decision: 'refund', status: 'succeeded' }],
        };
        return Promise.resolve(p as T);
      },
    };
    const result = await runBatches({
      api,
      decisions: [{ row: 2, shipmentId: 'A', decision: 'refund', reviewer: 'x' }],
      batchId: 'b',
      wait: true,
      sleep: () => Promise.resolve(),
    });
    expect(calls).toBe(2);
    expect(result.succeeded).toBe(1);
  });
});

describe('preparing a stock file', () => {
  it('fills the mode of rows that leave it blank, adding the column, and keeps every row on its line', () => {
    const text =
      'warehouse_id,sku,quantity\r\nwh-1,MUG,5\r\n\r\nwh-1,CAP,-2\r\nwh-2,"NOTE\nLINE",3\r\nwh-3,X,1\r\n';
    const out = withDefaultMode(text, 'add');
    expect(out).toBe(
      'warehouse_id,sku,quantity,mode\r\nwh-1,MUG,5,add\r\n\r\nwh-1,CAP,-2,add\r\n' +
        'wh-2,"NOTE\nLINE",3,add\r\nwh-3,X,1,add\r\n',
    );
    expect(parseCsv(out).map((r) => r.line)).toEqual(parseCsv(text).map((r) => r.line));
  });

  it('keeps a mode a row gives, fills positional files, and leaves a row with too many cells for the API to report', () => {
    expect(
      withDefaultMode('sku,mode,quantity,warehouse_id\nMUG,set,5,wh\nCAP,,2,wh\n', 'add'),
    ).toBe('sku,mode,quantity,warehouse_id\r\nMUG,set,5,wh\r\nCAP,add,2,wh\r\n');
    expect(withDefaultMode('wh,MUG,5\nwh,CAP,2,set\nwh,X,1,add,extra\n', 'add')).toBe(
      'wh,MUG,5,add\r\nwh,CAP,2,set\r\nwh,X,1,add,extra\r\n',
    );
  });

  it('reads the API refusal rows.<line>.<column> as a per-row report', () => {
    expect(
      stockRowErrors([
        { path: 'rows.3.quantity', message: 'must be a whole number' },
        { path: 'rows.0.file', message: 'holds 60000 rows' },
      ]),
    ).toEqual([
      { row: 3, field: 'quantity', message: 'must be a whole number' },
      { row: 0, field: 'file', message: 'holds 60000 rows' },
    ]);
  });
});

describe('the batch and stock commands', () => {
  function io(env: Record<string, string>, files: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const cli: CliIo = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env,
      readFile: (path: string) =>
        files[path] !== undefined
          ? Promise.resolve(files[path])
          : Promise.reject(new Error('ENOENT: no such file')),
      writeFile: () => Promise.resolve(),
      readStdin: () => Promise.resolve(files['-'] ?? ''),
    };
    return { cli, out: () => out.join(''), err: () => err.join('') };
  }
  // Port 9 (discard) has nobody listening: anything sent would end in "Cannot reach".
  const OFFLINE = { PARCELWARDEN_API_KEY: 'k', PARCELWARDEN_URL: 'http://127.0.0.1:9' };

  it('a decisions file with a wrong row is refused whole, with the rows listed, before anything is sent', async () => {
    const t = io(OFFLINE, { '-': 'shipment_id,decision\nS-1,refund\nS-2,burn\n' });
    expect(await run(['reviews', 'batch', '-', '--reviewer', 'olga'], t.cli)).toBe(1);
    expect(t.out()).toContain('The file has 1 problem(s); nothing was sent.');
    expect(t.out()).toMatch(/3\s+decision\s+"burn" is not one of reship/);
    expect(t.err()).not.toContain('Cannot reach');
  });

  it('says how to call the batch command when the file and --all-pending are mixed or missing', async () => {
    const t = io(OFFLINE);
    expect(await run(['reviews', 'batch'], t.cli)).toBe(2);
    expect(t.err()).toContain('Give one CSV file (or - for standard input), or --all-pending.');
    const u = io(OFFLINE);
    expect(await run(['reviews', 'batch', '--all-pending', '--reviewer', 'x'], u.cli)).toBe(2);
    expect(u.err()).toContain('--decision reship | refund');
    const v = io(OFFLINE, { 'd.csv': 'shipment_id,decision\nS-1,refund\n' });
    expect(await run(['reviews', 'batch', 'd.csv', '--decision', 'refund'], v.cli)).toBe(2);
    expect(v.err()).toContain('--decision and --note go with --all-pending');
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('--all-pending takes every page of the review queue and decides it in one batch', async () => {
    const requests: { method: string; url: string; body?: unknown }[] = [];
    const json = (body: unknown, status = 200) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      const method = init.method ?? 'GET';
      const body = init.body ? (JSON.parse(String(init.body)) as unknown) : undefined;
      requests.push({ method, url, body });
      const u = new URL(url);
      if (u.pathname === '/v1/reviews') {
        return Promise.resolve(
          u.searchParams.get('cursor') === 'page-2'
            ? json({ items: [{ shipmentId: 'S-3' }], nextCursor: null })
            : json({ items: [{ shipmentId: 'S-1' }, { shipmentId: 'S-2' }], nextCursor: 'page-2' }),
        );
      }
      if (method === 'POST') return Promise.resolve(json({ batchId: 'all' }, 202));
      const progress: BatchProgress = {
        batchId: 'all',
        total: 3,
        done: 3,
        succeeded: 3,
        failed: 0,
        finished: true,
        items: ['S-1', 'S-2', 'S-3'].map((shipmentId) => ({
          shipmentId,
          decision: 'refund',
          status: 'succeeded',
        })),
      };
      return Promise.resolve(json(progress));
    });
    const t = io({ PARCELWARDEN_API_KEY: 'k', PARCELWARDEN_URL: 'http://api.test' });
    const code = await run(
      [
        'reviews',
        'batch',
        '--all-pending',
        '--decision',
        'refund',
        '--reviewer',
        'olga',
        '--batch-id',
        'all',
      ],
      t.cli,
    );
    expect(code, t.err()).toBe(0);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET http://api.test/v1/reviews?limit=200',
      'GET http://api.test/v1/reviews?limit=200&cursor=page-2',
      'POST http://api.test/v1/reviews:batch',
      'GET http://api.test/v1/reviews:batch/all',
    ]);
    expect(requests[2]!.body).toEqual({
      batchId: 'all',
      decisions: ['S-1', 'S-2', 'S-3'].map((shipmentId) => ({
        shipmentId,
        decision: 'refund',
        reviewer: 'olga',
      })),
    });
    expect(t.out()).toContain('3 pending reviews: refund by olga');
    expect(t.out()).toContain('3 decisions: 3 succeeded, 0 failed');
    expect(t.err()).toBe('3/3 done, 3 succeeded, 0 failed\n');
  });

  it('a stock import with an unknown mode is refused with the modes there are', async () => {
    const t = io(OFFLINE, { 's.csv': 'warehouse_id,sku,quantity\nwh,MUG,1\n' });
    expect(await run(['stock', 'import', 's.csv', '--mode', 'replace'], t.cli)).toBe(2);
    expect(t.err()).toContain('--mode must be set or add, not "replace".');
  });
});
