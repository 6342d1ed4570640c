import { ConfigError, type Config } from '../config';
import { AfterShipClient } from './aftership/aftership.carrier';
import { CarrierError, unsupported, type Carrier, type CarrierRegistry } from './carrier';
import { CARRIER_CODES } from './catalogue';
import { EasyPostClient } from './easypost/easypost.carrier';
import type { Clock } from './rate-limit';
import type { SandboxCarrierClient } from './sandbox/sandbox.client';
import { Track17Client } from './track17/track17.carrier';

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

/** Which provider does what, for every real carrier code (`sandbox` is always the sandbox). */
export interface ProviderRoutes {
  /** Makes the carrier that answers `track` for a code. */
  tracking: (code: string) => Carrier;
  labels: (code: string) => Carrier;
  claims: (code: string) => Carrier;
  traces: (code: string) => Carrier;
}

/**
 * One carrier per code whose methods go to the provider chosen for them: tracking through an
 * aggregator, labels and claims through a shipping platform, traces through the carrier.
 */
export function compositeCarrier(code: string, routes: ProviderRoutes): Carrier {
  const tracking = routes.tracking(code);
  const labels = routes.labels(code);
  const claims = routes.claims(code);
  const traces = routes.traces(code);
  return {
    code,
    track: (n) => tracking.track(n),
    openTrace: (req) => traces.openTrace(req),
    bookLabel: (req) => labels.bookLabel(req),
    fileClaim: (req) => claims.fileClaim(req),
    claimStatus: (id) => claims.claimStatus(id),
    ...(claims.answerClaim ? { answerClaim: claims.answerClaim.bind(claims) } : {}),
    ...(claims.appealClaim ? { appealClaim: claims.appealClaim.bind(claims) } : {}),
  };
}

/** A carrier whose every method is unsupported (TRACE_PROVIDER=none). */
function noProvider(code: string, what: string): Carrier {
  const fail = <T>() => Promise.reject<T>(unsupported(`No provider (${code})`, what));
  return {
    code,
    track: fail,
    openTrace: fail,
    bookLabel: fail,
    fileClaim: fail,
    claimStatus: fail,
  };
}

export interface RegistryDeps {
  /** The sandbox carrier: serves `sandbox` and whatever is configured as `sandbox`. */
  sandbox?: Carrier;
  fetch?: typeof fetch;
  clock?: Clock;
}

/** Parses `wh-1:adr_1,wh-2:adr_2`. */
export function parseWarehouseAddresses(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (value ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const i = pair.indexOf(':');
    const warehouse = pair.slice(0, i).trim();
    const address = pair.slice(i + 1).trim();
    if (i <= 0 || !address) {
      throw new ConfigError([
        `EASYPOST_WAREHOUSE_ADDRESSES: "${pair}" is not warehouseId:adr_… (e.g. wh-berlin:adr_123)`,
      ]);
    }
    out[warehouse] = address;
  }
  return out;
}

/**
 * The carrier registry from configuration: TRACKING_PROVIDER, LABEL_PROVIDER, CLAIMS_PROVIDER and
 * TRACE_PROVIDER pick the provider of each capability for every carrier code we accept. A chosen
 * provider without its key is a start-up error naming the variable.
 */
export function carrierRegistryFromConfig(
  config: Config,
  deps: RegistryDeps = {},
): CarrierRegistry {
  const problems: string[] = [];
  const need = (env: string, value: string | undefined, why: string): string => {
    if (!value) problems.push(`${env}: required because ${why}`);
    return value ?? '';
  };
  const choices: Record<string, string> = {
    TRACKING_PROVIDER: config.trackingProvider,
    LABEL_PROVIDER: config.labelProvider,
    CLAIMS_PROVIDER: config.claimsProvider,
    TRACE_PROVIDER: config.traceProvider,
  };
  const chosenBy = (p: string) =>
    Object.entries(choices)
      .filter(([, v]) => v === p)
      .map(([env]) => `${env}=${p}`);
  const uses = (p: string) => chosenBy(p).length > 0;
  const why = (p: string) => chosenBy(p).join(' and ');

  const aftership = uses('aftership')
    ? new AfterShipClient({
        apiKey: need('AFTERSHIP_API_KEY', config.aftershipApiKey, why('aftership')),
        baseUrl: config.aftershipBaseUrl,
        fetch: deps.fetch,
        clock: deps.clock,
      })
    : undefined;
  const track17 = uses('17track')
    ? new Track17Client({
        apiKey: need('TRACK17_API_KEY', config.track17ApiKey, why('17track')),
        baseUrl: config.track17BaseUrl,
        fetch: deps.fetch,
        clock: deps.clock,
      })
    : undefined;
  const easypost = uses('easypost')
    ? new EasyPostClient({
        apiKey: need('EASYPOST_API_KEY', config.easypostApiKey, why('easypost')),
        baseUrl: config.easypostBaseUrl,
        fetch: deps.fetch,
        warehouseAddresses: parseWarehouseAddresses(config.easypostWarehouseAddresses),
        parcelWeightOz: config.easypostParcelWeightOz,
        customsSigner: config.easypostCustomsSigner,
        claimContactEmail: config.opsEmail,
      })
    : undefined;
  const sandbox = deps.sandbox;
  if (uses('sandbox') && !sandbox) {
    problems.push(
      `SANDBOX_CARRIER_URL: required because ${why('sandbox')} (the default; choose real providers or run the sandbox carrier)`,
    );
  }
  if (problems.length) throw new ConfigError(problems);

  const pick =
    (provider: string, what: string) =>
    (code: string): Carrier => {
      if (provider === 'aftership' && aftership) return aftership.carrier(code);
      if (provider === '17track' && track17) return track17.carrier(code);
      if (provider === 'easypost' && easypost) return easypost.carrier(code);
      if (provider === 'sandbox' && sandbox) return sandbox;
      return noProvider(code, what);
    };
  const routes: ProviderRoutes = {
    tracking: pick(config.trackingProvider, 'tracking'),
    labels: pick(config.labelProvider, 'labels'),
    claims: pick(config.claimsProvider, 'claims'),
    traces: pick(config.traceProvider, 'carrier traces'),
  };
  return createCarrierRegistry(
    CARRIER_CODES.map((code) =>
      code === 'sandbox' && sandbox ? sandbox : compositeCarrier(code, routes),
    ),
  );
}
