import { CarrierError, type Carrier, type CarrierRegistry } from './carrier';
import type { SandboxCarrierClient } from './sandbox/sandbox.client';

/** Looks carriers up by code (case-insensitive); an unknown code is a permanent error. */
export function createCarrierRegistry(carriers: Carrier[]): CarrierRegistry {
  const byCode = new Map<string, Carrier>();
  for (const carrier of carriers) {
    const code = carrier.code.toLowerCase();
    if (byCode.has(code)) throw new Error(`Carrier code "${carrier.code}" is registered twice`);
    byCode.set(code, carrier);
  }
  return {
    get(code: string): Carrier {
      const carrier = byCode.get(code.toLowerCase());
      if (carrier) return carrier;
      throw new CarrierError(
        `No carrier adapter for "${code}" (known: ${[...byCode.keys()].join(', ') || 'none'})`,
        'carrier.unsupported',
        true,
      );
    },
  };
}

/** Walking skeleton: the sandbox serves every carrier code (usps, dhl, yanwen, …) until the real adapters land. */
export function sandboxRegistry(client: SandboxCarrierClient): CarrierRegistry {
  return { get: () => client };
}
