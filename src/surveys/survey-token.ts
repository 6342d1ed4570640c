import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../http/safe-equal';

/**
 * A fresh survey id: 128 random bits, stored with the survey. Nothing about the shipment leads to
 * it, so knowing the signing secret is not enough to reach someone else's survey.
 */
export function newSurveyId(): string {
  return randomBytes(16).toString('base64url');
}

function mac(secret: string, message: string): string {
  return createHmac('sha256', secret).update(message).digest('base64url');
}

/** What a link signs: the survey and the second it stops working. */
const signed = (surveyId: string, expiresAtSec: number) => `survey:v2:${surveyId}.${expiresAtSec}`;

/** `<surveyId>.<expires, unix seconds>.<HMAC>`: the link proves itself and runs out. */
export function signSurveyToken(surveyId: string, secret: string, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${surveyId}.${exp}.${mac(secret, signed(surveyId, exp))}`;
}

/**
 * The survey a link reaches, or undefined when it is altered, unknown in shape or expired.
 * `legacy` marks the links mailed before links expired (`<surveyId>.<HMAC>`): the caller accepts
 * them only for surveys stored before then and only until their natural expiry.
 */
export function verifySurveyToken(
  token: string,
  secret: string,
  now: Date,
): { surveyId: string; legacy: boolean } | undefined {
  const current = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (current) {
    const [, surveyId, expText, given] = current as unknown as [string, string, string, string];
    const exp = Number(expText);
    if (!safeEqual(given, mac(secret, signed(surveyId, exp)))) return undefined;
    return exp * 1000 > now.getTime() ? { surveyId, legacy: false } : undefined;
  }
  const legacy = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!legacy) return undefined;
  const [, surveyId, given] = legacy as unknown as [string, string, string];
  return safeEqual(given, mac(secret, `survey:${surveyId}`))
    ? { surveyId, legacy: true }
    : undefined;
}

export function surveyLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/survey/${token}`;
}
