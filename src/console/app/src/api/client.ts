import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

/** The API's response shapes by their OpenAPI component name (`Schemas['ReviewQueuePage']`). */
export type Schemas = components['schemas'];

/** A problem+json answer of the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

let bearer: string | undefined;

/** The key every call carries (set at log-in, cleared at log-out); never stored beyond the tab. */
export function setApiKey(key: string | undefined): void {
  bearer = key;
}

/**
 * The typed client: paths, parameters and answers come from the API's own OpenAPI document
 * (src/console/build.ts generates ./schema.d.ts), so a changed response shape fails the typecheck.
 */
export const api = createClient<paths>({ baseUrl: '' });
api.use({
  onRequest({ request }) {
    if (bearer) request.headers.set('Authorization', `Bearer ${bearer}`);
    return request;
  },
});

interface Problem {
  code?: string;
  detail?: string;
  title?: string;
}

/** The data of an openapi-fetch answer, or an ApiError with the problem's detail. */
export async function must<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let answer: Awaited<typeof call>;
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError(0, undefined, err instanceof Error ? err.message : String(err));
  }
  const { data, error, response } = answer;
  // A 204 (no content) has no data: its type says so (`never`/undefined) for the caller.
  if (response.ok) return data as T;
  const p = (error ?? {}) as Problem;
  throw new ApiError(response.status, p.code, p.detail ?? p.title ?? response.statusText);
}
