import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../http/safe-equal';

/** A survey id derived from the message's idempotency key: a resent survey links the same page. */
export function surveyIdFor(idempotencyKey: string): string {
  return createHash('sha256').update(`survey:${idempotencyKey}`).digest('base64url').slice(0, 22);
}

function mac(secret: string, surveyId: string): string {
  return createHmac('sha256', secret).update(`survey:${surveyId}`).digest('base64url');
}

/** `<surveyId>.<HMAC>`: the link proves itself, nothing guessable leads to someone else's survey. */
export function signSurveyToken(surveyId: string, secret: string): string {
  return `${surveyId}.${mac(secret, surveyId)}`;
}

/** The survey id of a genuine token, or undefined. */
export function verifySurveyToken(token: string, secret: string): string | undefined {
  const m = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return undefined;
  const [, surveyId, given] = m as unknown as [string, string, string];
  return safeEqual(given, mac(secret, surveyId)) ? surveyId : undefined;
}

export function surveyLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/survey/${token}`;
}
