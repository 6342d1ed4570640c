import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  deleteView,
  freshRows,
  mergeLive,
  parseViews,
  saveView,
  sortItems,
  type QueueFields,
} from '../../src/console/app/src/lib/queue';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const minutes = (m: number) => new Date(NOW + m * 60_000).toISOString();

function aReview(id: string, o: Partial<QueueFields> = {}): QueueFields {
  return {
    shipmentId: id,
    reason: 'stalled',
    detectedAt: minutes(-60),
    slaDeadline: minutes(60),
    declaredValue: 20,
    currency: 'EUR',
    carrier: 'yanwen',
    destination: 'US',
    ...o,
  };
}

const ids = (items: { shipmentId: string }[]) => items.map((i) => i.shipmentId);

describe('the review queue’s filters', () => {
  const items = [
    aReview('a', { reason: 'overdue', carrier: 'cainiao', destination: 'DE', declaredValue: 120 }),
    aReview('b', { declaredValue: 15, slaDeadline: minutes(10) }),
    aReview('c', { declaredValue: 50, slaDeadline: minutes(-5) }),
  ];

  it('keeps only the reviews of a reason, a carrier or a lane', () => {
    expect(ids(applyFilter(items, { reason: 'overdue' }, NOW))).toEqual(['a']);
    expect(ids(applyFilter(items, { carrier: 'yanwen' }, NOW))).toEqual(['b', 'c']);
    expect(ids(applyFilter(items, { lane: 'DE' }, NOW))).toEqual(['a']);
  });

  it('bounds the declared value on both sides, inclusively', () => {
    expect(ids(applyFilter(items, { minValue: 50 }, NOW))).toEqual(['a', 'c']);
    expect(ids(applyFilter(items, { minValue: 16, maxValue: 50 }, NOW))).toEqual(['c']);
  });

  it('keeps reviews whose SLA ends within the minutes given, including those already over', () => {
    expect(ids(applyFilter(items, { slaWithinMinutes: 15 }, NOW))).toEqual(['b', 'c']);
    expect(ids(applyFilter(items, { slaWithinMinutes: 0 }, NOW))).toEqual(['c']);
  });

  it('combines filters, and no filter keeps everything', () => {
    expect(ids(applyFilter(items, { carrier: 'yanwen', maxValue: 20 }, NOW))).toEqual(['b']);
    expect(ids(applyFilter(items, {}, NOW))).toEqual(['a', 'b', 'c']);
  });
});

describe('the review queue’s sorting', () => {
  const items = [
    aReview('old', { detectedAt: minutes(-90), declaredValue: 10, slaDeadline: minutes(30) }),
    aReview('new', { detectedAt: minutes(-5), declaredValue: 99, slaDeadline: minutes(5) }),
    aReview('mid', { detectedAt: minutes(-30), declaredValue: 10, slaDeadline: minutes(50) }),
  ];

  it('sorts by suspicion age, SLA and value', () => {
    expect(ids(sortItems(items, 'oldest'))).toEqual(['old', 'mid', 'new']);
    expect(ids(sortItems(items, 'newest'))).toEqual(['new', 'mid', 'old']);
    expect(ids(sortItems(items, 'sla'))).toEqual(['new', 'old', 'mid']);
    expect(ids(sortItems(items, 'value_desc'))).toEqual(['new', 'old', 'mid']);
  });

  it('keeps the server’s order among equal keys and leaves its input alone', () => {
    expect(ids(sortItems(items, 'value_asc'))).toEqual(['old', 'mid', 'new']);
    expect(ids(items)).toEqual(['old', 'new', 'mid']);
  });
});

describe('saved views', () => {
  it('saves under a trimmed name, replacing a view of the same name, names sorted', () => {
    let views = saveView([], { name: ' Big ', filter: { minValue: 100 }, sort: 'value_desc' });
    views = saveView(views, { name: 'Asia', filter: { lane: 'JP' }, sort: 'oldest' });
    views = saveView(views, { name: 'Big', filter: { minValue: 200 }, sort: 'value_desc' });
    expect(views.map((v) => [v.name, v.filter.minValue])).toEqual([
      ['Asia', undefined],
      ['Big', 200],
    ]);
    expect(saveView(views, { name: '  ', filter: {}, sort: 'oldest' })).toBe(views);
    expect(deleteView(views, 'Asia').map((v) => v.name)).toEqual(['Big']);
  });

  it('reads back what it stored, and drops what is malformed instead of failing', () => {
    const views = saveView([], { name: 'SLA', filter: { slaWithinMinutes: 30 }, sort: 'sla' });
    expect(parseViews(JSON.stringify(views))).toEqual([
      {
        name: 'SLA',
        sort: 'sla',
        filter: {
          reason: undefined,
          carrier: undefined,
          lane: undefined,
          minValue: undefined,
          maxValue: undefined,
          slaWithinMinutes: 30,
        },
      },
    ]);
    expect(parseViews('not json')).toEqual([]);
    expect(parseViews(null)).toEqual([]);
    expect(parseViews('{"name":"x"}')).toEqual([]);
    expect(
      parseViews(
        '[{"name":"x","sort":"sideways","filter":{}},{"sort":"sla"},{"name":"ok","sort":"sla","filter":{"minValue":"9"}}]',
      ),
    ).toEqual([
      { name: 'ok', sort: 'sla', filter: expect.objectContaining({ minValue: undefined }) },
    ]);
  });
});

describe('live updates of the queue on screen', () => {
  it('adds new reviews at the end, marked new, without moving any row', () => {
    const rows = freshRows([aReview('a'), aReview('b')], {}, 'oldest', NOW);
    const merged = mergeLive(rows, [aReview('c'), aReview('a'), aReview('b')]);
    expect(merged.map((r) => [r.item.shipmentId, r.mark])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['c', 'new'],
    ]);
  });

  it('keeps a row that left the server’s queue in its place, marked gone, until a refresh', () => {
    const rows = freshRows([aReview('a'), aReview('b'), aReview('c')], {}, 'oldest', NOW);
    const merged = mergeLive(rows, [aReview('a'), aReview('c')]);
    expect(merged.map((r) => [r.item.shipmentId, r.mark])).toEqual([
      ['a', undefined],
      ['b', 'gone'],
      ['c', undefined],
    ]);
    // Seen again later (say a new review round): no longer gone.
    expect(mergeLive(merged, [aReview('a'), aReview('b'), aReview('c')])[1]!.mark).toBeUndefined();
  });

  it('takes the fresh data of a row that stays (a new round, a new deadline)', () => {
    const rows = freshRows([aReview('a', { slaDeadline: minutes(5) })], {}, 'oldest', NOW);
    const merged = mergeLive(rows, [aReview('a', { slaDeadline: minutes(50) })]);
    expect(merged[0]!.item.slaDeadline).toBe(minutes(50));
  });
});
