import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Carrier, LabelRequest } from '../../src/carriers/carrier';
import { carrierRegistryFromConfig } from '../../src/carriers/registry';
import { ConfigError, loadConfig } from '../../src/config';
import { getTrackings, inTransitTracking, IN_TRANSIT_NUMBER } from './fixtures/aftership/trackings';
import { boughtShipment, createdShipment, submittedClaim } from './fixtures/easypost/objects';
import { startProviderServer, type ProviderServer } from './support/provider-server';

/** Stands in for the sandbox carrier client: records which methods were asked of it. */
function recordingSandbox(): Carrier & { calls: string[] } {
  const calls: string[] = [];
  return {
    code: 'sandbox',
    calls,
    track: (n) => {
      calls.push(`track ${n}`);
      return Promise.resolve({ known: true, events: [] });
    },
    openTrace: (req) => {
      calls.push(`openTrace ${req.trackingNumber}`);
      return Promise.resolve({ traceId: 'tr-1', status: 'open', openedAt: '2025-03-01T00:00:00Z' });
    },
    bookLabel: (req) => {
      calls.push(`bookLabel ${req.reference}`);
      return Promise.reject(new Error('not used'));
    },
    fileClaim: (req) => {
      calls.push(`fileClaim ${req.trackingNumber}`);
      return Promise.reject(new Error('not used'));
    },
    claimStatus: (id) => {
      calls.push(`claimStatus ${id}`);
      return Promise.reject(new Error('not used'));
    },
  };
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const label: LabelRequest = {
  idempotencyKey: 'shipment:S-9:reship',
  reference: 'S-9~R1',
  from: { country: 'US', warehouseId: 'wh-sc' },
  to: {
    name: 'Ann Buyer',
    line1: '1 Main St',
    city: 'Austin',
    region: 'TX',
    postalCode: '78701',
    country: 'US',
  },
  items: [{ sku: 'MUG', quantity: 1, unitPrice: 20 }],
  declaredValue: 20,
  currency: 'USD',
};

describe('carrier registry from configuration', () => {
  let aftership: ProviderServer;
  let easypost: ProviderServer;
  beforeAll(async () => {
    aftership = await startProviderServer();
    easypost = await startProviderServer();
  });
  afterAll(async () => {
    await aftership.close();
    await easypost.close();
  });
  beforeEach(() => {
    aftership.requests.length = 0;
    easypost.requests.length = 0;
  });

  it('by default the sandbox serves every capability of every carrier code we accept', async () => {
    const sandbox = recordingSandbox();
    const registry = carrierRegistryFromConfig(loadConfig({}), { sandbox });
    await registry.get('usps').track('9400111899223817');
    await registry.get('YANWEN').openTrace({
      idempotencyKey: 'k',
      trackingNumber: 'UG1',
      reason: 'lost',
      description: 'x',
    });
    expect(registry.get('sandbox')).toBe(sandbox);
    expect(sandbox.calls).toEqual(['track 9400111899223817', 'openTrace UG1']);
  });

  it('a carrier code we do not accept is a permanent carrier.unsupported error', () => {
    const registry = carrierRegistryFromConfig(loadConfig({}), { sandbox: recordingSandbox() });
    expect(() => registry.get('pigeon-post')).toThrow(
      expect.objectContaining({ code: 'carrier.unsupported', permanent: true }),
    );
  });

  it('routes tracking to AfterShip, labels and claims to EasyPost, traces to the sandbox', async () => {
    const sandbox = recordingSandbox();
    const registry = carrierRegistryFromConfig(
      loadConfig({
        TRACKING_PROVIDER: 'aftership',
        LABEL_PROVIDER: 'easypost',
        CLAIMS_PROVIDER: 'easypost',
        AFTERSHIP_API_KEY: 'as-key',
        AFTERSHIP_BASE_URL: aftership.baseUrl,
        EASYPOST_API_KEY: 'ep-key',
        EASYPOST_BASE_URL: easypost.baseUrl,
        EASYPOST_WAREHOUSE_ADDRESSES: 'wh-sc:adr_123, wh-de:adr_456',
      }),
      { sandbox },
    );
    aftership.replyWith({ body: getTrackings([inTransitTracking]) });
    easypost.replyWith(
      { body: createdShipment },
      { body: boughtShipment },
      { body: submittedClaim },
    );
    const usps = registry.get('usps');

    await expect(usps.track(IN_TRANSIT_NUMBER)).resolves.toMatchObject({ known: true });
    await expect(usps.bookLabel(label)).resolves.toMatchObject({ carrier: 'usps' });
    await expect(
      usps.fileClaim({
        idempotencyKey: 'shipment:S-9:claim',
        trackingNumber: '9400100208271110520227',
        reason: 'lost',
        amount: 20,
        currency: 'USD',
        description: 'lost',
        evidence: {},
      }),
    ).resolves.toMatchObject({ claimId: submittedClaim.id });
    await usps.openTrace({
      idempotencyKey: 'k',
      trackingNumber: 'T1',
      reason: 'lost',
      description: 'x',
    });

    expect(aftership.requests.map((r) => [r.method, r.path, r.query.slug])).toEqual([
      ['GET', '/tracking/2025-01/trackings', 'usps'],
    ]);
    expect(easypost.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/shipments',
      `POST /v2/shipments/${createdShipment.id}/buy`,
      'POST /v2/claims',
    ]);
    expect(
      (easypost.requests[0]?.body as { shipment: { from_address: unknown } }).shipment.from_address,
    ).toEqual({
      id: 'adr_123',
    });
    expect(sandbox.calls).toEqual(['openTrace T1']);
  });

  it('with TRACE_PROVIDER=none a trace is unsupported rather than sent anywhere', async () => {
    const sandbox = recordingSandbox();
    const registry = carrierRegistryFromConfig(loadConfig({ TRACE_PROVIDER: 'none' }), { sandbox });
    await expect(
      registry
        .get('dhl')
        .openTrace({ idempotencyKey: 'k', trackingNumber: 'T', reason: 'lost', description: 'x' }),
    ).rejects.toMatchObject({ code: 'carrier.unsupported', permanent: true });
    expect(sandbox.calls).toEqual([]);
  });

  it('a chosen provider without its key stops start-up, naming the variable and why', () => {
    const err = configError(() =>
      carrierRegistryFromConfig(
        loadConfig({
          TRACKING_PROVIDER: 'aftership',
          LABEL_PROVIDER: 'easypost',
          CLAIMS_PROVIDER: 'easypost',
        }),
        { sandbox: recordingSandbox() },
      ),
    );
    expect(err.problems).toEqual([
      'AFTERSHIP_API_KEY: required because TRACKING_PROVIDER=aftership',
      'EASYPOST_API_KEY: required because LABEL_PROVIDER=easypost and CLAIMS_PROVIDER=easypost',
    ]);
  });

  it('17TRACK as the tracking provider needs TRACK17_API_KEY', () => {
    const err = configError(() =>
      carrierRegistryFromConfig(loadConfig({ TRACKING_PROVIDER: '17track' }), {
        sandbox: recordingSandbox(),
      }),
    );
    expect(err.message).toContain('TRACK17_API_KEY: required because TRACKING_PROVIDER=17track');
  });

  it('providers left on sandbox without a sandbox carrier stop start-up, naming SANDBOX_CARRIER_URL', () => {
    const err = configError(() =>
      carrierRegistryFromConfig(
        loadConfig({ TRACKING_PROVIDER: '17track', TRACK17_API_KEY: 'k' }),
        {},
      ),
    );
    expect(err.message).toContain('SANDBOX_CARRIER_URL');
    expect(err.message).toContain('LABEL_PROVIDER=sandbox');
  });

  it('warehouse addresses that are not warehouseId:adr_… pairs stop start-up', () => {
    const err = configError(() =>
      carrierRegistryFromConfig(
        loadConfig({
          LABEL_PROVIDER: 'easypost',
          EASYPOST_API_KEY: 'k',
          EASYPOST_WAREHOUSE_ADDRESSES: 'wh-sc',
        }),
        { sandbox: recordingSandbox() },
      ),
    );
    expect(err.message).toContain('EASYPOST_WAREHOUSE_ADDRESSES');
  });

  it('an unknown provider name is refused by the configuration', () => {
    const err = configError(() => loadConfig({ TRACKING_PROVIDER: 'trackingmore' }));
    expect(err.message).toContain('TRACKING_PROVIDER');
  });
});
