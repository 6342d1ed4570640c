import { ProblemError } from '../http/problems';

export function shopNotFound(shopId: string): ProblemError {
  return new ProblemError(404, 'shop.not_found', 'Shop not found', `There is no shop "${shopId}".`);
}

export function shopCredentialsRequired(shopId: string, platform: string): ProblemError {
  return new ProblemError(
    422,
    'shop.credentials_required',
    'Credentials required',
    `Shop "${shopId}" has no stored ${platform} credentials to keep: send "credentials" with this request.`,
    { errors: [{ path: 'credentials', message: `required for a new ${platform} shop` }] },
  );
}

export function shopDomainTaken(domain: string, platform: string, holder: string): ProblemError {
  return new ProblemError(
    409,
    'shop.domain_taken',
    'Store already connected',
    `The ${platform} store ${domain} is already connected as shop "${holder}"; remove that shop first or update it instead.`,
  );
}

/** A webhook naming a store that is not connected (or was removed). */
export function shopUnknown(platform: string, domain: string | undefined): ProblemError {
  return new ProblemError(
    404,
    'shop.unknown',
    'Unknown shop',
    domain
      ? `No connected ${platform} shop has the domain "${domain}"; connect it with PUT /v1/shops/{shopId}.`
      : `The delivery does not name its ${platform} store (shop domain header missing).`,
  );
}

export function shopWebhookIdMissing(header: string): ProblemError {
  return new ProblemError(
    400,
    'shop.webhook_id_missing',
    'Delivery id missing',
    `The delivery has no ${header} header, which deduplicates deliveries.`,
  );
}

export function shopSignatureInvalid(header: string): ProblemError {
  return new ProblemError(
    401,
    'shop.signature_invalid',
    'Invalid signature',
    `The ${header} signature is missing or does not match the body signed with the shop's webhook secret.`,
  );
}

export function shopPayloadInvalid(
  topic: string,
  detail: string,
  errors: { path: string; message: string }[],
): ProblemError {
  return new ProblemError(
    422,
    'shop.payload_invalid',
    "Payload not the topic's shape",
    `The body is not a ${topic || 'known topic'} payload: ${detail}`,
    { errors },
  );
}

/** PAYLOAD_KEY not given to this API: credentials can be neither sealed nor opened. */
export function shopsUnavailable(): ProblemError {
  return new ProblemError(
    503,
    'shop.no_secret_box',
    'Shops unavailable',
    'This API runs without PAYLOAD_KEY, which seals shop credentials; start it with PAYLOAD_KEY set.',
  );
}

/** The shop's API failed during a sync page (429, 5xx, 401/403 or a refusal). */
export function shopApiFailed(shopId: string, kind: string, message: string): ProblemError {
  const status = kind === 'rate_limited' || kind === 'unavailable' ? 503 : 502;
  return new ProblemError(
    status,
    `shop.api_${kind}`,
    'Shop API failed',
    `The shop "${shopId}" answered: ${message}`,
    status === 503 ? { headers: { 'Retry-After': '5' } } : {},
  );
}
