/**
 * Which URLs may be a webhook endpoint. In production: https only, and no loopback, private or
 * link-local address written into the URL unless its host is listed in OUTBOUND_ALLOWED_HOSTS (a
 * name that resolves to one is refused when sending, by the outbound fetch). In development
 * plain http and local receivers are fine.
 */
import net from 'node:net';
import { isPublicAddress } from '../http/outbound';

export interface EndpointUrlPolicy {
  production: boolean;
  /** OUTBOUND_ALLOWED_HOSTS: `host` or `host:port` entries that may be private. */
  allowedHosts: string[];
}

export const DEVELOPMENT_ENDPOINT_URLS: EndpointUrlPolicy = { production: false, allowedHosts: [] };

export type UrlJudgement = { ok: true; url: string } | { ok: false; reason: string };

export function judgeEndpointUrl(raw: string, policy: EndpointUrlPolicy): UrlJudgement {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { ok: false, reason: `must be https (not ${url.protocol})` };
  if (policy.production && url.protocol !== 'https:')
    return { ok: false, reason: 'must be https in production' };
  if (url.username || url.password)
    return {
      ok: false,
      reason: 'must not carry a user name or password; deliveries are signed instead',
    };
  if (url.hash) return { ok: false, reason: 'must not have a #fragment' };
  if (policy.production && !allowed(url, policy.allowedHosts)) {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const local = host === 'localhost' || host.endsWith('.localhost');
    if (local || (net.isIP(host) && !isPublicAddress(host)))
      return {
        ok: false,
        reason: `points at ${host}, which is not a public address; list the host in OUTBOUND_ALLOWED_HOSTS if it is yours`,
      };
  }
  return { ok: true, url: url.href };
}

function allowed(url: URL, hosts: string[]): boolean {
  const name = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return hosts.some((h) => h === name || h === `${name}:${port}`);
}
