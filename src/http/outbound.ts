/**
 * Every outgoing call to an address a seller configures (REFUND_URL, ONSITE_MESSAGE_URL, carrier
 * base URLs) goes through here:
 * - redirects are never followed: a 3xx is an error naming its Location, so a signed body (a
 *   refund, a customer message) never goes anywhere but the configured address;
 * - in production, private, loopback, link-local and other non-public addresses are refused
 *   (server-side request forgery into the seller's network or a cloud metadata service) unless
 *   the host is listed in OUTBOUND_ALLOWED_HOSTS. The check runs in the connection's own DNS
 *   lookup, so the address checked is the address connected to (no rebinding in between).
 */
import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

export interface OutboundPolicy {
  /** Refuse every address that is not public unicast (production mode). */
  refusePrivate: boolean;
  /** `host` or `host:port` entries that may be reached on any address (OUTBOUND_ALLOWED_HOSTS). */
  allowedHosts?: string[];
  /** Name resolution; tests inject one. Default: the system resolver (dns.lookup). */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
}

/** Development: any address (the sandboxes run on loopback), still no redirects. */
export const DEVELOPMENT_OUTBOUND: OutboundPolicy = { refusePrivate: false };

/** An address the policy does not allow; a configuration problem, not a passing fault. */
export class OutboundRefusedError extends Error {
  readonly code = 'outbound.refused';
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

/** The server answered with a redirect; it was not followed. */
export class OutboundRedirectError extends Error {
  readonly code = 'outbound.redirect';
  constructor(
    readonly status: number,
    readonly location: string | null,
    url: string,
  ) {
    super(
      `${url} answered ${status} redirecting to ${location ?? '(no Location)'}; redirects are not followed, so the request did not go there. Configure the final URL instead.`,
    );
    this.name = 'OutboundRedirectError';
  }
}

/**
 * Is this IP address public unicast? Every other range (private, loopback, link-local, unique
 * local, carrier NAT, multicast, unspecified, reserved…) is not; an IPv4-mapped IPv6 address is
 * judged by its IPv4 address.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

const systemLookup = (hostname: string) => dns.promises.lookup(hostname, { all: true });

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

function describe(host: string, addresses: string[]): string {
  return `${host} resolves to ${addresses.join(', ')}, which is not a public address; outgoing calls to private, loopback and link-local addresses are refused in production. List the host in OUTBOUND_ALLOWED_HOSTS if it is yours.`;
}

function isAllowedHost(url: URL, allowed: string[]): boolean {
  const name = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowed.some((entry) => entry === name || entry === `${name}:${port}`);
}

/**
 * A fetch for calls to configured addresses, under `policy`. Same signature as the global fetch,
 * so it can be handed to anything that takes one.
 */
export function createOutboundFetch(policy: OutboundPolicy): typeof fetch {
  const resolve = policy.lookup ?? systemLookup;
  const allowed = (policy.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  // Resolves, checks every address, and hands those very addresses to the connection.
  const checkedLookup = (
    hostname: string,
    options: { all?: boolean },
    callback: LookupCallback,
  ): void => {
    resolve(hostname).then(
      (addresses) => {
        const refused = addresses.filter((a) => !isPublicAddress(a.address));
        if (addresses.length === 0 || refused.length > 0) {
          callback(
            new OutboundRefusedError(
              describe(
                hostname,
                addresses.map((a) => a.address),
              ),
            ),
            '',
          );
          return;
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
  const checked = new Agent({ connect: { lookup: checkedLookup as never } });
  const plain = new Agent();

  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new OutboundRefusedError(`${url.protocol} URLs are not called; use http or https.`);
    }
    const check = policy.refusePrivate && !isAllowedHost(url, allowed);
    // An IP literal is connected to without a lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (check && net.isIP(literal) && !isPublicAddress(literal)) {
      throw new OutboundRefusedError(describe(url.hostname, [literal]));
    }
    let res: Response;
    try {
      res = (await undiciFetch(url, {
        ...(init as object),
        redirect: 'manual',
        dispatcher: check ? checked : plain,
      })) as unknown as Response;
    } catch (err) {
      // undici wraps connection errors as "fetch failed"; the refusal is the useful part.
      const cause = (err as { cause?: unknown }).cause;
      if (cause instanceof OutboundRefusedError) throw cause;
      throw err;
    }
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      throw new OutboundRedirectError(res.status, res.headers.get('location'), url.href);
    }
    return res;
  }) as typeof fetch;
}

/** The development policy's fetch: the default of callers that were not given one. */
export const developmentFetch: typeof fetch = createOutboundFetch(DEVELOPMENT_OUTBOUND);
