import { describe, expect, it } from 'vitest';
import { scaleOutFigures } from '../../src/bench/scale-out';

describe('scale-out figures of the cluster bench', () => {
  const results = [
    { workers: 1, shipments: 100, shipmentSeconds: 10, events: 300, eventSeconds: 6 },
    { workers: 2, shipments: 100, shipmentSeconds: 5, events: 300, eventSeconds: 4 },
    { workers: 4, shipments: 100, shipmentSeconds: 4, events: 300, eventSeconds: 3 },
  ];

  it('gives shipments/s and events/s per worker count', () => {
    const figures = scaleOutFigures(results);
    expect(figures.map((f) => [f.id, f.value, f.unit])).toEqual([
      ['scale-out.shipments.w1', 10, 'shipments/s'],
      ['scale-out.events.w1', 50, 'events/s'],
      ['scale-out.shipments.w2', 20, 'shipments/s'],
      ['scale-out.events.w2', 75, 'events/s'],
      ['scale-out.shipments.w4', 25, 'shipments/s'],
      ['scale-out.events.w4', 100, 'events/s'],
    ]);
  });

  it('measures 2 and 4 workers against linear scaling of the 1-worker figure', () => {
    const byId = new Map(scaleOutFigures(results).map((f) => [f.id, f]));
    expect(byId.get('scale-out.shipments.w1')!.limit).toBeUndefined();
    expect(byId.get('scale-out.shipments.w2')!.limit).toMatchObject({ value: 20 });
    expect(byId.get('scale-out.events.w2')!.limit).toMatchObject({ value: 100 });
    expect(byId.get('scale-out.shipments.w4')!.limit).toMatchObject({ value: 40 });
    expect(byId.get('scale-out.events.w4')!.limit).toMatchObject({ value: 200 });
    expect(byId.get('scale-out.events.w4')!.detail).toMatchObject({ workers: 4, count: 300 });
  });
});
