import { expect } from 'vitest';
import { ShopApiError } from '../../src/shops/platform';

/** The ShopApiError a shop API call is rejected with (fails the test if it succeeds or throws another error). */
export async function shopApiError(call: Promise<unknown>): Promise<ShopApiError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShopApiError);
  return err as ShopApiError;
}
