import { describe, expect, it } from 'vitest';
import {
  chooseWarehouse,
  laneDistance,
  rankWarehouses,
  type WarehouseCandidate,
} from '../../src/inventory/warehouse-choice';
import { parseStockCsv, parseStockJson } from '../../src/inventory/stock-import';

const wh = (
  warehouseId: string,
  country: string,
  kind: 'origin' | 'overseas',
  available: Record<string, number> = {},
): WarehouseCandidate => ({ warehouseId, country, kind, available });

describe('warehouse choice for a reship', () => {
  const order = [{ sku: 'MUG', quantity: 2 }];

  it('an overseas warehouse in the destination country ships the order when it has stock', () => {
    const choice = chooseWarehouse(
      [
        wh('cn-1', 'CN', 'origin', { MUG: 500 }),
        wh('de-1', 'DE', 'overseas', { MUG: 50 }),
        wh('us-1', 'US', 'overseas', { MUG: 2 }),
      ],
      'US',
      order,
    );
    expect(choice).toMatchObject({ ok: true, warehouse: { warehouseId: 'us-1' } });
  });

  it('without stock in the destination country, the nearest lane wins: same region before another continent', () => {
    const choice = chooseWarehouse(
      [
        wh('cn-1', 'CN', 'origin', { MUG: 500 }),
        wh('us-1', 'US', 'overseas', { MUG: 500 }),
        wh('de-1', 'DE', 'overseas', { MUG: 1 }),
        wh('gb-1', 'GB', 'overseas', { MUG: 9 }),
      ],
      'DE',
      order,
    );
    expect(choice.ok && choice.warehouse.warehouseId).toBe('gb-1');
    expect(choice.ok && choice.reason).toContain('de-1 is nearer but short of stock');
  });

  it('in the same lane an overseas warehouse beats an origin one, then the one left with more stock', () => {
    const ranked = rankWarehouses(
      [
        wh('fr-origin', 'FR', 'origin', { MUG: 100 }),
        wh('nl-small', 'NL', 'overseas', { MUG: 3 }),
        wh('it-big', 'IT', 'overseas', { MUG: 40 }),
      ],
      'DE',
      order,
    );
    expect(ranked.map((w) => w.warehouseId)).toEqual(['it-big', 'nl-small', 'fr-origin']);
  });

  it('lane distance: same country 0, same continent 1, elsewhere 2; a warehouse may name its region', () => {
    expect(laneDistance({ country: 'US' }, 'US')).toBe(0);
    expect(laneDistance({ country: 'PL' }, 'FR')).toBe(1);
    expect(laneDistance({ country: 'CN' }, 'FR')).toBe(2);
    expect(laneDistance({ country: 'TR', region: 'EU' }, 'DE')).toBe(1);
  });

  it('an order is never split: stock spread over two warehouses is a shortfall to buy at the preferred one', () => {
    const choice = chooseWarehouse(
      [wh('us-1', 'US', 'overseas', { MUG: 5 }), wh('cn-1', 'CN', 'origin', { TEE: 5 })],
      'US',
      [
        { sku: 'MUG', quantity: 1 },
        { sku: 'TEE', quantity: 1 },
      ],
    );
    expect(choice).toMatchObject({
      ok: false,
      shortfall: [
        { sku: 'MUG', missing: 0 },
        { sku: 'TEE', missing: 0 },
      ],
      preferred: { warehouseId: 'us-1' },
      toBuy: [{ sku: 'TEE', quantity: 1 }],
    });
    expect(!choice.ok && choice.reason).toContain('orders are not split');
  });

  it('SKUs named like object built-ins are counted as stock like any other', () => {
    const order = [
      { sku: 'constructor', quantity: 1 },
      { sku: 'toString', quantity: 1 },
    ];
    const none = chooseWarehouse([wh('de-1', 'DE', 'overseas', { MUG: 5 })], 'DE', order);
    expect(none).toMatchObject({
      ok: false,
      shortfall: [
        { sku: 'constructor', missing: 1 },
        { sku: 'toString', missing: 1 },
      ],
    });
    const some = chooseWarehouse(
      [wh('de-1', 'DE', 'overseas', { constructor: 1, toString: 2 })],
      'DE',
      order,
    );
    expect(some).toMatchObject({ ok: true, warehouse: { warehouseId: 'de-1' } });
  });

  it('a shortfall says what is missing and what to buy for the warehouse nearest the customer', () => {
    const choice = chooseWarehouse(
      [wh('de-1', 'DE', 'overseas', { MUG: 1 }), wh('cn-1', 'CN', 'origin', { MUG: 3 })],
      'DE',
      [{ sku: 'MUG', quantity: 4 }],
    );
    expect(choice).toMatchObject({
      ok: false,
      shortfall: [{ sku: 'MUG', missing: 1 }],
      toBuy: [{ sku: 'MUG', quantity: 3 }],
    });
    expect(!choice.ok && choice.reason).toBe(
      'No warehouse has the whole order: MUG short by 1. Suggested purchase for de-1: 3 × MUG.',
    );
  });
});

describe('stock import parsing', () => {
  it('a CSV with a header is read by column name, in any order, with set as the default mode', () => {
    const parsed = parseStockCsv(
      'sku,warehouse_id,quantity,mode\r\nMUG,wh-1,5,\r\n"TEE, red",wh-1,2,add\r\n',
    );
    expect(parsed.errors).toEqual([{ row: 3, field: 'sku', message: 'must not contain spaces' }]);
    expect(parsed.rows).toEqual([
      { row: 2, warehouseId: 'wh-1', sku: 'MUG', quantity: 5, mode: 'set' },
    ]);
  });

  it('a CSV without a header is positional and each bad row is reported with its line and column', () => {
    const parsed = parseStockCsv(
      'wh-1,MUG,5\n\nwh-1,TEE,many\nwh 2,CASE,3,replace\nwh-1,CAP,1.5\n',
    );
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.errors.map((e) => [e.row, e.field])).toEqual([
      [3, 'quantity'],
      [4, 'warehouse_id'],
      [4, 'mode'],
      [5, 'quantity'],
    ]);
  });

  it('a header naming an unknown column or missing a required one is refused as a whole', () => {
    const parsed = parseStockCsv('warehouse_id,sku,qty\nwh-1,MUG,5\n');
    expect(parsed.rows).toEqual([]);
    expect(parsed.errors).toEqual([
      {
        row: 1,
        field: 'qty',
        message: 'unknown column; columns are warehouse_id, sku, quantity, mode',
      },
      { row: 1, field: 'quantity', message: 'required column is missing' },
    ]);
  });

  it('JSON rows are numbered from 1 and their field names kept', () => {
    const parsed = parseStockJson([
      { warehouseId: 'wh-1', sku: 'MUG', quantity: 3, mode: 'add' },
      { warehouseId: 'wh-1', sku: 'TEE' },
    ]);
    expect(parsed.rows).toEqual([
      { row: 1, warehouseId: 'wh-1', sku: 'MUG', quantity: 3, mode: 'add' },
    ]);
    expect(parsed.errors).toMatchObject([{ row: 2, field: 'quantity' }]);
  });
});
