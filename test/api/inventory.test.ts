import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseSuggestions, stock } from '../../src/db/schema';
import { importStock, parseStockCsv, type ImportProgress } from '../../src/inventory/stock-import';
import { uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';
import { expectBadCursorRefused, walkPages } from './paging';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

async function aWarehouse(country = 'DE'): Promise<string> {
  const id = uniqueId('wh');
  const res = await api.call('PUT', `/v1/warehouses/${id}`, {
    as: 'admin',
    body: { name: `Warehouse ${id}`, country, kind: 'overseas' },
  });
  expect(res.status).toBe(201);
  return id;
}

const csv = (text: string, headers: Record<string, string> = {}) => ({
  as: 'ingest' as const,
  rawBody: text,
  headers: { 'content-type': 'text/csv', ...headers },
});

async function levels(warehouse: string) {
  const res = await api.call('GET', `/v1/stock?warehouse=${warehouse}`, { as: 'ops' });
  expect(res.status).toBe(200);
  return Object.fromEntries(
    (res.body.items as { sku: string; onHand: number }[]).map((i) => [i.sku, i.onHand]),
  );
}

describe('warehouses', () => {
  it('an admin creates a warehouse, changes it, and ops read it with its region', async () => {
    const id = await aWarehouse('PL');
    const changed = await api.call('PUT', `/v1/warehouses/${id}`, {
      as: 'admin',
      body: { name: 'Poznań', country: 'PL', kind: 'origin' },
    });
    expect(changed.status).toBe(200);
    const got = await api.call('GET', `/v1/warehouses/${id}`, { as: 'ops' });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      warehouseId: id,
      name: 'Poznań',
      country: 'PL',
      kind: 'origin',
      region: 'EU',
      stock: [],
    });
  });

  it('an unknown warehouse is a 404 problem, a bad country a 400 naming the field', async () => {
    const missing = await api.call('GET', '/v1/warehouses/no-such-wh', { as: 'ops' });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('warehouse.not_found');
    const bad = await api.call('PUT', `/v1/warehouses/${uniqueId('wh')}`, {
      as: 'admin',
      body: { name: 'x', country: 'Germany', kind: 'overseas' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { path: 'country', message: 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. DE' },
    ]);
  });

  it('pages through warehouses by id, each once', async () => {
    const base = uniqueId('whp');
    const mine = ['c', 'a', 'e', 'b', 'd'].map((s) => `${base}-${s}`);
    for (const id of mine) {
      const res = await api.call('PUT', `/v1/warehouses/${id}`, {
        as: 'admin',
        body: { name: id, country: 'DE', kind: 'overseas' },
      });
      expect(res.status).toBe(201);
    }
    const walked = await walkPages<{ warehouseId: string }>(
      api,
      '/v1/warehouses?limit=2',
      'analyst',
    );
    const ids = walked.items.map((w) => w.warehouseId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith(base))).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((s) => `${base}-${s}`),
    );
    expect(walked.pages).toBeGreaterThanOrEqual(3);
    await expectBadCursorRefused(api, '/v1/warehouses', 'analyst');
  });

  it('only an admin may change warehouses', async () => {
    const res = await api.call('PUT', `/v1/warehouses/${uniqueId('wh')}`, {
      as: 'ops',
      body: { name: 'x', country: 'DE', kind: 'overseas' },
    });
    expect(res.status).toBe(403);
  });
});

describe('stock import', () => {
  it('a CSV sets and adds stock levels, and the same file sent again changes nothing', async () => {
    const wh = await aWarehouse();
    const file = `warehouse_id,sku,quantity,mode\n${wh},MUG,10,set\n${wh},TEE,4,add\n`;
    const first = await api.call('POST', '/v1/stock:import', csv(file));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ replayed: false, rows: 2, created: 2, updated: 0 });
    expect(await levels(wh)).toEqual({ MUG: 10, TEE: 4 });

    const again = await api.call('POST', '/v1/stock:import', csv(file));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, importKey: first.body.importKey });
    expect(await levels(wh)).toEqual({ MUG: 10, TEE: 4 });

    const more = await api.call('POST', '/v1/stock:import', csv(`${wh},TEE,3,add\n`));
    expect(more.body).toMatchObject({ replayed: false, created: 0, updated: 1 });
    expect(await levels(wh)).toEqual({ MUG: 10, TEE: 7 });
  });

  it('a file with bad rows is refused as a whole, with each row, field and message', async () => {
    const wh = await aWarehouse();
    const file = [
      'warehouse_id,sku,quantity',
      `${wh},MUG,5`,
      `${wh},TEE,lots`,
      `wh-unknown-${wh},CASE,1`,
      `${wh},MUG,6`,
    ].join('\n');
    const res = await api.call('POST', '/v1/stock:import', csv(file));
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('stock.import_invalid');
    expect(res.body.detail).toContain('no row was applied');
    expect(res.body.errors).toEqual([
      { path: 'rows.3.quantity', message: 'Invalid input: expected number, received string' },
      { path: 'rows.5.sku', message: `MUG in ${wh} is already in row 2` },
    ]);
    expect(await levels(wh)).toEqual({});
  });

  it('a level below what reships have reserved, or an unknown warehouse, is refused and nothing applied', async () => {
    const wh = await aWarehouse();
    await api.call('POST', '/v1/stock:import', {
      as: 'ingest',
      body: { rows: [{ warehouseId: wh, sku: 'MUG', quantity: 5 }] },
    });
    // A reship holds 4 of them.
    await api.db
      .update(stock)
      .set({ reserved: 4 })
      .where(and(eq(stock.warehouseId, wh), eq(stock.sku, 'MUG')));
    const res = await api.call('POST', '/v1/stock:import', {
      as: 'ingest',
      body: {
        rows: [
          { warehouseId: wh, sku: 'TEE', quantity: 3 },
          { warehouseId: wh, sku: 'MUG', quantity: 3 },
          { warehouseId: wh, sku: 'CASE', quantity: -1, mode: 'add' },
          { warehouseId: `${wh}-nope`, sku: 'MUG', quantity: 1 },
        ],
      },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      {
        path: 'rows.2.quantity',
        message: 'would leave 3 on hand, below the 4 reserved for reships',
      },
      { path: 'rows.3.quantity', message: 'would leave -1 on hand' },
      {
        path: 'rows.4.warehouse_id',
        message: `unknown warehouse "${wh}-nope"; create it with PUT /v1/warehouses/${wh}-nope`,
      },
    ]);
    expect(await levels(wh)).toEqual({ MUG: 5 });
  });

  it('an Idempotency-Key reused for other rows is a conflict', async () => {
    const wh = await aWarehouse();
    const key = uniqueId('import');
    const rows = (q: number) => ({
      as: 'ingest' as const,
      headers: { 'idempotency-key': key },
      body: { rows: [{ warehouseId: wh, sku: 'MUG', quantity: q, mode: 'add' }] },
    });
    expect((await api.call('POST', '/v1/stock:import', rows(2))).status).toBe(200);
    expect((await api.call('POST', '/v1/stock:import', rows(2))).body.replayed).toBe(true);
    const other = await api.call('POST', '/v1/stock:import', rows(3));
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('stock.import_key_reused');
    expect(await levels(wh)).toEqual({ MUG: 2 });
  });

  it('a body that is neither CSV nor JSON is refused with 415, and analysts cannot import', async () => {
    const res = await api.call('POST', '/v1/stock:import', {
      as: 'ingest',
      rawBody: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    const analyst = await api.call('POST', '/v1/stock:import', {
      as: 'analyst',
      body: { rows: [] },
    });
    expect(analyst.status).toBe(403);
  });

  it('stock is filtered by SKU across warehouses', async () => {
    const [a, b] = [await aWarehouse('DE'), await aWarehouse('FR')];
    const sku = uniqueId('SKU');
    await api.call('POST', '/v1/stock:import', csv(`${a},${sku},3\n${b},${sku},8\n`));
    const res = await api.call('GET', `/v1/stock?sku=${sku}`, { as: 'analyst' });
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ warehouseId: a, sku, onHand: 3, reserved: 0, available: 3 }),
        expect.objectContaining({ warehouseId: b, sku, onHand: 8, reserved: 0, available: 8 }),
      ]),
    );
  });

  it('stock pages by warehouse, then SKU, each level once', async () => {
    const base = uniqueId('whs');
    const [a, b] = [`${base}-a`, `${base}-b`];
    for (const id of [b, a]) {
      await api.call('PUT', `/v1/warehouses/${id}`, {
        as: 'admin',
        body: { name: id, country: 'DE', kind: 'overseas' },
      });
    }
    const sku = uniqueId('SKU');
    const imported = await api.call(
      'POST',
      '/v1/stock:import',
      csv(`${a},${sku}-B,1\n${b},${sku}-A,2\n${a},${sku}-A,3\n${a},${sku}-C,4\n${b},${sku}-B,5\n`),
    );
    expect(imported.status).toBe(200);
    type Level = { warehouseId: string; sku: string; onHand: number };
    const inA = await walkPages<Level>(api, `/v1/stock?warehouse=${a}&limit=2`, 'analyst');
    expect(inA.items.map((i) => [i.sku, i.onHand])).toEqual([
      [`${sku}-A`, 3],
      [`${sku}-B`, 1],
      [`${sku}-C`, 4],
    ]);
    expect(inA.pages).toBe(2);
    const oneSku = await walkPages<Level>(api, `/v1/stock?sku=${sku}-A&limit=1`, 'analyst');
    expect(oneSku.items.map((i) => [i.warehouseId, i.onHand])).toEqual([
      [a, 3],
      [b, 2],
    ]);
    expect(oneSku.pages).toBe(2);
    await expectBadCursorRefused(api, `/v1/stock?warehouse=${a}`, 'analyst');
  });

  it('a large import reports its progress chunk by chunk, for a CLI to show', async () => {
    const wh = await aWarehouse();
    const file = Array.from({ length: 1200 }, (_, i) => `${wh},SKU-${i},${i}`).join('\n');
    const seen: ImportProgress[] = [];
    const outcome = await importStock(api.db, parseStockCsv(file), {
      onProgress: (p) => seen.push(p),
    });
    expect(outcome).toMatchObject({ ok: true, rows: 1200, created: 1200 });
    expect(seen.map((p) => `${p.phase}:${p.done}/${p.total}`)).toEqual([
      'checking:500/1200',
      'checking:1000/1200',
      'checking:1200/1200',
      'applying:500/1200',
      'applying:1000/1200',
      'applying:1200/1200',
      'done:1200/1200',
    ]);
  });
});

describe('purchase suggestions', () => {
  it('page newest first, those of one instant by id, each once', async () => {
    const wh = await aWarehouse('US');
    const shipmentId = uniqueId('SHP');
    const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
    const rows = [
      { sku: 'S1', createdAt: at(1) },
      { sku: 'S2a', createdAt: at(2) },
      { sku: 'S2b', createdAt: at(2) },
      { sku: 'S2c', createdAt: at(2) },
      { sku: 'S3', createdAt: at(3) },
    ];
    await api.db.insert(purchaseSuggestions).values(
      rows.map((r, i) => ({
        idempotencyKey: `shipment:${shipmentId}:reship:${i}:reserve`,
        shipmentId,
        sku: r.sku,
        warehouseId: wh,
        quantityMissing: 1,
        createdAt: r.createdAt,
      })),
    );
    const walked = await walkPages<{ shipmentId: string; sku: string }>(
      api,
      '/v1/purchase-suggestions?status=all&limit=2',
      'ops',
    );
    const ids = walked.items.map((i) => JSON.stringify(i));
    expect(new Set(ids).size).toBe(ids.length);
    // Inserted in this order, so ids ascend from S2a to S2c.
    expect(walked.items.filter((i) => i.shipmentId === shipmentId).map((i) => i.sku)).toEqual([
      'S3',
      'S2a',
      'S2b',
      'S2c',
      'S1',
    ]);
    expect(walked.pages).toBeGreaterThanOrEqual(3);
    await expectBadCursorRefused(api, '/v1/purchase-suggestions', 'ops');
  });

  it('ops see what to restock after a shortfall, open ones by default', async () => {
    const wh = await aWarehouse('US');
    const shipmentId = uniqueId('SHP');
    await api.db.insert(purchaseSuggestions).values([
      {
        idempotencyKey: `shipment:${shipmentId}:reship:1:reserve`,
        shipmentId,
        sku: 'MUG',
        warehouseId: wh,
        quantityMissing: 2,
      },
      {
        idempotencyKey: `shipment:${shipmentId}:reship:0:reserve`,
        shipmentId,
        sku: 'TEE',
        warehouseId: wh,
        quantityMissing: 1,
        status: 'ordered',
      },
    ]);
    const open = await api.call('GET', '/v1/purchase-suggestions', { as: 'ops' });
    expect(open.status).toBe(200);
    const mine = (items: { shipmentId: string; sku: string }[]) =>
      items.filter((i) => i.shipmentId === shipmentId).map((i) => i.sku);
    expect(mine(open.body.items)).toEqual(['MUG']);
    const all = await api.call('GET', '/v1/purchase-suggestions?status=all', { as: 'ops' });
    expect(mine(all.body.items).sort()).toEqual(['MUG', 'TEE']);
  });
});
