import { z } from 'zod';
import { count, timestamp } from '../../workflows/model/scalars';
import { rate } from '../analytics/analytics.schemas';
import { named } from '../http/route';

/** GET /v1/surveys/results: the answers over a period. */
export const surveyResultsResponse = named(
  'SurveyResults',
  z.object({
    from: timestamp.optional(),
    to: timestamp.optional(),
    sent: count,
    count: count.describe('Answers'),
    average: z.number().nullable().describe('null without answers'),
    distribution: z.object({ '1': count, '2': count, '3': count, '4': count, '5': count }),
    responseRate: rate,
  }),
);
