import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { toCsv, wantsCsv } from '../analytics/csv';
import { surveyResultsResponse } from './surveys.schemas';
import { ProblemError, fieldErrors } from '../http/problems';
import { route, type RouteSpec } from '../http/route';
import { rejectUnstorableText, withoutBlankOptionals } from '../http/validate';
import { instant } from '../shipments/shipments.schemas';
import {
  ratingRequiredText,
  SURVEY_PAGE_CSP,
  surveyFormPage,
  surveyMessagePage,
} from './survey.page';
import { verifySurveyToken } from './survey-token';
import type { SurveyRepository } from './surveys.repository';

export const surveyAnswerBody = z.object({
  rating: z.coerce
    .number({ message: 'must be a whole number from 1 to 5' })
    .int('must be a whole number from 1 to 5')
    .min(1, 'must be a whole number from 1 to 5')
    .max(5, 'must be a whole number from 1 to 5'),
  comment: z.string().trim().max(2000).optional(),
});

export const surveyResultsQuery = z.object({
  from: instant.optional(),
  to: instant.optional(),
  format: z.enum(['json', 'csv']).optional(),
});

// One answer for altered, unknown and expired links: a stranger learns nothing from trying.
const notFound = () =>
  new ProblemError(
    404,
    'survey.not_found',
    'Survey not found',
    'This survey link is not valid or has expired.',
  );

/**
 * The customer's side of a survey, reached from the link in the mail: no API key, the signed
 * token is the credential. A browser form gets HTML back; a JSON client gets JSON. Survey results
 * for analysts: how many answered, the average and the spread of ratings.
 */
export function surveysRoutes(deps: {
  surveys: SurveyRepository;
  secret: string;
  /** How long a link works; bounds the links mailed before links carried their expiry. */
  linkTtlMs: number;
  now?: () => Date;
}): RouteSpec[] {
  const { surveys } = deps;
  const now = deps.now ?? (() => new Date());
  const html = (res: Response, status: number, page: string) =>
    res
      .status(status)
      .set('Content-Security-Policy', SURVEY_PAGE_CSP)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(page);

  // The token is read as sent (no path schema): any token that does not verify gets the same
  // "invalid link" answer, however it is malformed.
  const find = async (req: Request) => {
    const token = String(req.params.token ?? '');
    const at = now();
    const verified = verifySurveyToken(token, deps.secret, at);
    if (!verified) return undefined;
    const survey = await surveys.get(verified.surveyId);
    if (!survey || !verified.legacy) return survey;
    // A link mailed before links expired: only for a survey of that time (random ids never had
    // one), and only until the expiry it would have had, counted from when it was written.
    const legacyFine =
      survey.idempotencyKey === null && survey.createdAt.getTime() + deps.linkTtlMs > at.getTime();
    return legacyFine ? survey : undefined;
  };

  const page = route({
    method: 'get',
    path: '/survey/{token}',
    access: 'signed',
    operationId: 'getSurvey',
    tag: 'Surveys',
    summary:
      'The customer’s survey page (HTML, no external assets); the signed token is the credential',
    answer: { description: 'HTML page', contentType: 'text/html' },
    responses: { '404': { description: 'Invalid link (HTML page)', contentType: 'text/html' } },
    handler: async ({ req, res }) => {
      const survey = await find(req);
      if (!survey) return void html(res, 404, surveyMessagePage(undefined, 'invalid'));
      if (survey.answeredAt)
        return void html(res, 200, surveyMessagePage(survey.locale, 'already'));
      html(res, 200, surveyFormPage(survey.locale));
    },
  });

  const answer = route({
    method: 'post',
    path: '/survey/{token}',
    access: 'signed',
    operationId: 'answerSurvey',
    tag: 'Surveys',
    summary: 'Answer the survey once (form or JSON); again → 409',
    bodyContent: { 'application/json': surveyAnswerBody },
    // A browser form or JSON, validated by the handler: a form gets its errors as a page.
    bodyParser: 'raw',
    parsers: [
      express.urlencoded({ extended: false, limit: '16kb' }),
      express.json({ limit: '16kb' }),
      rejectUnstorableText,
    ],
    answer: {
      status: 201,
      description: 'Stored',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    responses: {
      '400': 'Rating not 1–5',
      '404': 'Invalid link',
      '409': 'Already answered',
    },
    handler: async ({ req, res }) => {
      const fromForm = Boolean(req.is('application/x-www-form-urlencoded'));
      const survey = await find(req);
      if (!survey) {
        if (fromForm) return void html(res, 404, surveyMessagePage(undefined, 'invalid'));
        throw notFound();
      }
      const parsed = surveyAnswerBody.safeParse(
        withoutBlankOptionals(surveyAnswerBody, req.body ?? {}, fromForm ? 'text' : 'json'),
      );
      if (!parsed.success) {
        if (fromForm)
          return void html(
            res,
            400,
            surveyFormPage(survey.locale, ratingRequiredText(survey.locale)),
          );
        const errors = fieldErrors(parsed.error);
        throw new ProblemError(
          400,
          'validation.failed',
          'Validation failed',
          `The survey answer is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
          { errors },
        );
      }
      const { rating, comment } = parsed.data;
      const answered = await surveys.answer(survey.surveyId, rating, comment || undefined);
      if (!answered) {
        if (fromForm) return void html(res, 409, surveyMessagePage(survey.locale, 'already'));
        throw new ProblemError(
          409,
          'survey.already_answered',
          'Survey already answered',
          'This survey has been answered already; an answer is kept once.',
        );
      }
      if (fromForm) return void html(res, 200, surveyMessagePage(survey.locale, 'thanks'));
      res.status(201).json({
        surveyId: answered.surveyId,
        rating: answered.rating,
        ...(answered.comment ? { comment: answered.comment } : {}),
        answeredAt: answered.answeredAt?.toISOString(),
      });
    },
  });

  const results = route({
    method: 'get',
    path: '/v1/analytics/surveys',
    access: 'analyze',
    operationId: 'getSurveyResults',
    tag: 'Surveys',
    summary: 'Survey results (analyst, admin): sent, answered, average, distribution of ratings',
    query: surveyResultsQuery,
    answer: {
      description: '{sent, count, average, distribution, responseRate}',
      schema: surveyResultsResponse,
    },
    handler: async ({ req, res, query: q }) => {
      const found = await surveys.results(q);
      if (wantsCsv(req, q.format)) {
        // One row per rating, like every other analytics table in CSV.
        const rows = (['1', '2', '3', '4', '5'] as const).map((rating) => ({
          rating,
          answers: found.distribution[rating],
          share: found.count
            ? Math.round((found.distribution[rating] / found.count) * 1000) / 1000
            : 0,
        }));
        res
          .type('text/csv; charset=utf-8; header=present')
          .attachment('surveys.csv')
          .send(
            toCsv(
              [
                { key: 'rating', header: 'rating' },
                { key: 'answers', header: 'answers' },
                { key: 'share', header: 'share' },
              ],
              rows,
            ),
          );
        return;
      }
      return {
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...found,
      };
    },
  });

  return [page, answer, results];
}
