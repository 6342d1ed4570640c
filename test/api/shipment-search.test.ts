import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../src/cli/cli';
import { shipments } from '../../src/db/schema';
import { shipmentRow } from '../../src/shipments/shipments.rows';
import type { ShipmentRegistration } from '../../workflows/shipment.contract';
import { aRegistration, uniqueId } from '../helpers/factories';
import { startApi, type ApiUnderTest } from './harness';
import { walkPages } from './paging';

let api: ApiUnderTest;
beforeAll(async () => {
  api = await startApi({ queryTimeoutMs: 1000 });
});
afterAll(async () => {
  await api?.close();
});

/** Read-model rows only: search reads the read model, no workflow is needed behind them. */
const inserted: string[] = [];
async function insert(reg: ShipmentRegistration, replaces?: string) {
  await api.db
    .insert(shipments)
    .values(shipmentRow(reg, replaces ? { replacesShipmentId: replaces } : {}));
  inserted.push(reg.shipmentId);
}
afterAll(async () => {
  if (inserted.length)
    await api.db.delete(shipments).where(inArray(shipments.shipmentId, inserted));
});

const list = (query: string, as: 'analyst' | 'ops' | 'ingest' = 'analyst') =>
  api.call('GET', `/v1/shipments?${query}`, { as });
const ids = (body: { items: { shipmentId: string }[] }) => body.items.map((i) => i.shipmentId);

describe('unknown query parameters', () => {
  it('are refused with their names instead of being ignored', async () => {
    const res = await list('orderId=x&foo=1&colour=red');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('validation.failed');
    expect(res.body.detail).toContain('"foo"');
    expect(res.body.detail).toContain('"colour"');
    expect(res.body.detail).not.toContain('"orderId"');
    expect(res.body.errors).toEqual([
      { path: 'query', message: 'unknown parameters "foo", "colour"' },
    ]);
  });
});

describe('searching shipments', () => {
  // One token makes every value of this run unique, so other files' shipments never match.
  const token = uniqueId('srch').toLowerCase().replace(/-/g, '');
  const shopId = uniqueId('shop');
  const target = aRegistration({
    shipmentId: `S-${token}-target`,
    orderId: `ORD-${token}-A`,
    trackingNumber: `TRK${token}A`.toUpperCase(),
    customer: {
      name: `Grete Quennelbach-${token}`,
      email: `Grete.${token}@Example.com`,
      locale: 'de-DE',
    },
    shop: {
      shopId,
      platform: 'shopify',
      orderId: `gid://shopify/Order/${token}`,
      orderName: `#77${token}`,
    },
  });
  const other = aRegistration({
    shipmentId: `S-${token}-other`,
    orderId: `ORD-${token}-B`,
    trackingNumber: `TRK${token}B`.toUpperCase(),
    customer: { name: `Grete Other-${token}`, email: `hans.${token}@example.com`, locale: 'de-DE' },
  });
  const replacement = aRegistration({
    shipmentId: `S-${token}-target~R1`,
    orderId: `ORD-${token}-R`,
    trackingNumber: `RPL${token}`.toUpperCase(),
    customer: target.customer,
    replacementOf: target.shipmentId,
  });

  beforeAll(async () => {
    await insert(target);
    await insert(other);
    await insert(replacement, target.shipmentId);
  });

  const search = async (q: string, extra = '') => {
    const res = await list(`q=${encodeURIComponent(q)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return ids(res.body).sort();
  };

  it('finds by order id, exact or prefix, in any case', async () => {
    expect(await search(target.orderId)).toEqual([target.shipmentId]);
    expect(await search(target.orderId.toLowerCase())).toEqual([target.shipmentId]);
    // The prefix shared by A, B and R finds all three.
    expect(await search(`ord-${token}-`)).toHaveLength(3);
  });

  it("finds by the shop's order name, with or without #", async () => {
    expect(await search(`#77${token}`)).toEqual([target.shipmentId]);
    expect(await search(`77${token}`)).toEqual([target.shipmentId]);
  });

  it("finds by tracking number, and the original by its replacement's", async () => {
    expect(await search(target.trackingNumber.toLowerCase())).toEqual([target.shipmentId]);
    expect(await search(other.trackingNumber)).toEqual([other.shipmentId]);
    expect(await search(replacement.trackingNumber)).toEqual(
      [target.shipmentId, replacement.shipmentId].sort(),
    );
  });

  it('finds by shipment id prefix', async () => {
    expect(await search(`s-${token}-oth`)).toEqual([other.shipmentId]);
  });

  it('finds by customer e-mail (exact or prefix, any case) and part of the name', async () => {
    expect(await search(`grete.${token}@example.com`)).toEqual(
      [target.shipmentId, replacement.shipmentId].sort(),
    );
    expect(await search(`HANS.${token}`)).toEqual([other.shipmentId]);
    expect(await search(`quennelbach-${token}`)).toEqual(
      [target.shipmentId, replacement.shipmentId].sort(),
    );
    // A middle part of the e-mail is not a prefix: not found that way.
    expect(await search(`${token}@example.com`)).toEqual([]);
  });

  it('treats LIKE wildcards in the term as plain text', async () => {
    expect(await search(`ord-${token}-%`)).toEqual([]);
    expect(await search(`ord_${token}`)).toEqual([]);
  });

  it('combines with the exact filters', async () => {
    expect(await search(`ord-${token}`, `&shop=${shopId}`)).toEqual([target.shipmentId]);
    expect(await search(`ord-${token}`, '&stage=awaiting_review')).toEqual([]);
    const exact = async (query: string) => ids((await list(query)).body).sort();
    expect(await exact(`orderId=${encodeURIComponent(other.orderId)}`)).toEqual([other.shipmentId]);
    // Exact means exact: a prefix of the order id finds nothing.
    expect(await exact(`orderId=${encodeURIComponent(`ORD-${token}`)}`)).toEqual([]);
    expect(await exact(`trackingNumber=${target.trackingNumber}`)).toEqual([target.shipmentId]);
    expect(await exact(`email=${encodeURIComponent(`GRETE.${token}@example.COM`)}`)).toEqual(
      [target.shipmentId, replacement.shipmentId].sort(),
    );
    expect(await exact(`shop=${shopId}`)).toEqual([target.shipmentId]);
  });

  it('pages through the hits newest first without skipping or repeating', async () => {
    const walked = await walkPages<{ shipmentId: string }>(
      api,
      `/v1/shipments?q=${encodeURIComponent(`ORD-${token}`)}&limit=1`,
      'analyst',
    );
    expect(walked.pages).toBe(3);
    expect(walked.items.map((i) => i.shipmentId)).toEqual([
      replacement.shipmentId,
      other.shipmentId,
      target.shipmentId,
    ]);
  });

  it('lists the customer name, never the e-mail, and only to roles that read shipments', async () => {
    const res = await list(`q=${encodeURIComponent(target.orderId)}`, 'ops');
    expect(res.body.items[0].customerName).toBe(target.customer.name);
    expect(JSON.stringify(res.body).toLowerCase()).not.toContain(
      target.customer.email.toLowerCase(),
    );
    const ingest = await list(`q=${encodeURIComponent(target.customer.email)}`, 'ingest');
    expect(ingest.status).toBe(403);
  });

  describe('parcelwarden shipment search', () => {
    async function cli(...args: string[]) {
      return cliAs(['shipment', 'search'], ...args);
    }
    async function cliAs(command: string[], ...args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIo = {
        stdout: { write: (t: string) => out.push(t) },
        stderr: { write: (t: string) => err.push(t) },
        env: { PARCELWARDEN_URL: api.url, PARCELWARDEN_API_KEY: api.keys.ops },
        readFile: () => Promise.reject(new Error('no files here')),
        writeFile: () => Promise.resolve(),
      };
      const code = await run([...command, ...args], io);
      return { code, out: out.join(''), err: err.join('') };
    }

    it('prints the matches as a table with the order, tracking number and customer', async () => {
      const r = await cli(`#77${token}`);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const lines = r.out.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^id\s+stage\s+order\s+tracking\s+customer\s+destination\s+created$/,
      );
      const hits = lines.filter((l) => l.includes(token));
      expect(hits).toHaveLength(1);
      expect(hits[0]).toContain(target.shipmentId);
      expect(hits[0]).toContain(`${target.orderId} (#77${token})`);
      expect(hits[0]).toContain(target.trackingNumber);
      expect(hits[0]).toContain(target.customer.name);
      expect(hits[0]).toMatch(/ago$/);
      expect(r.out).not.toContain(other.shipmentId);
    });

    it('answers as `shipments find` too', async () => {
      const r = await cliAs(['shipments', 'find'], `#77${token}`, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).map((i: { shipmentId: string }) => i.shipmentId)).toEqual([
        target.shipmentId,
      ]);
    });

    it('takes a name in several words, --stage and --limit, and says when more match', async () => {
      // The whole text counts: "Grete" alone would find the other shipment's Grete as well.
      const both = await cli('Grete', `Quennelbach-${token}`, '--json');
      expect(JSON.parse(both.out).map((i: { shipmentId: string }) => i.shipmentId)).toEqual([
        replacement.shipmentId,
        target.shipmentId,
      ]);
      const r = await cli('Grete', `Quennelbach-${token}`, '--limit', '1');
      expect(r.code).toBe(0);
      expect(r.out).toContain(replacement.shipmentId);
      expect(r.out).not.toContain(`${target.shipmentId} `);
      expect(r.out).toContain('More match');
      const none = await cli(`ord-${token}`, '--stage', 'claiming');
      expect(none.code).toBe(0);
      expect(none.out).toContain(`No shipment matches "ord-${token}"`);
      const json = await cli(other.trackingNumber, '--json');
      expect(JSON.parse(json.out).map((i: { shipmentId: string }) => i.shipmentId)).toEqual([
        other.shipmentId,
      ]);
    });

    it('refuses a bad stage or limit before asking the API', async () => {
      const stage = await cli('x', '--stage', 'lost');
      expect(stage.code).toBe(2);
      expect(stage.err).toContain('"lost" is not a stage');
      const limit = await cli('x', '--limit', '201');
      expect(limit.code).toBe(2);
      expect(limit.err).toContain('--limit must be at most 200');
      const nothing = await cli();
      expect(nothing.code).toBe(2);
      expect(nothing.err).toContain('Give the text to search for');
    });
  });
});
