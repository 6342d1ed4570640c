import { describe, expect, it } from 'vitest';
import { ROUNDS, roundOrder } from '../../src/bench/registrations';

describe('the order of the bench paths over its rounds', () => {
  it('each path runs once first, once second and once last, so none always meets the smaller database', () => {
    const paths = ['raw', 'api', 'batch'] as const;
    const orders = Array.from({ length: ROUNDS }, (_, r) => roundOrder(paths, r));
    expect(orders).toEqual([
      ['raw', 'api', 'batch'],
      ['api', 'batch', 'raw'],
      ['batch', 'raw', 'api'],
    ]);
    for (let position = 0; position < paths.length; position++)
      expect(new Set(orders.map((o) => o[position]))).toEqual(new Set(paths));
  });
});
