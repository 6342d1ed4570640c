import { describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/cli';
import { ApiProblem } from '../../src/cli/client';
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

/** A stand-in for the API: answers per shipment id, counts requests in flight. */
function fakeApi(answer: (body: { shipmentId: string }, attempt: number) => number | ApiProblem) {
  const attempts = new Map<string, number>();
  const state = { inFlight: 0, maxInFlight: 0, calls: 0 };
  return {
    state,
    async post(_path: string, body: unknown) {
      const b = body as { shipmentId: string };
      state.calls++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((r) => setTimeout(r, 1));
      state.inFlight--;
      const n = (attempts.get(b.shipmentId) ?? 0) + 1;
      attempts.set(b.shipmentId, n);
      const a = answer(b, n);
      if (a instanceof ApiProblem) throw a;
      return { status: a, body: {} as never };
    },
  };
}

describe('importing a file', () => {
  const rows = (n: number) =>
    [HEADER, ...Array.from({ length: n }, (_, i) => GOOD.replace('#1001', `#${2000 + i}`))].join(
      '\n',
    );

  it('registers the rows a few at a time, retries a busy API, and reports rejected rows', async () => {
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
  });

  it('stops with the fix when the key may not register shipments', async () => {
    const api = fakeApi(() => new ApiProblem(403, { code: 'auth.forbidden' }));
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
      ['report', 'carriers'],
    ]) {
      const t = io();
      expect(await run([...cmd, '--help'], t.cli), cmd.join(' ')).toBe(0);
      expect(t.out(), cmd.join(' ')).toContain(`parcelwarden ${cmd.join(' ')}`);
    }
    const t = io();
    await run(['import', 'shipments', '--help'], t.cli);
    expect(t.out()).toMatch(/\* items\s+sku:quantity:unit price/);
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
});
