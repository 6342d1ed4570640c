/** The CLI's HTTP client: every failure becomes a CliError that says what to do about it. */

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { path: string; message: string }[];
}

/** Statuses worth trying again: rate limited, or a gateway or the API briefly unavailable. */
const TRANSIENT = new Set([429, 502, 503, 504]);

/** A 4xx/5xx answer in problem+json (or not). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(describeProblem(status, problem));
    this.name = 'ApiProblem';
  }

  get transient(): boolean {
    return TRANSIENT.has(this.status);
  }
}

export function describeProblem(status: number, p: Problem): string {
  const head = `${status} ${p.title ?? 'Error'}${p.code ? ` (${p.code})` : ''}`;
  const lines = [p.detail ? `${head}: ${p.detail}` : head];
  for (const e of p.errors ?? []) lines.push(`  - ${e.path}: ${e.message}`);
  return lines.join('\n');
}

export interface ApiOptions {
  url?: string;
  key?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

const DEFAULT_URL = 'http://127.0.0.1:3000';

export function createApiClient(opts: ApiOptions) {
  const base = (opts.url ?? DEFAULT_URL).replace(/\/+$/, '');
  try {
    new URL(base);
  } catch {
    throw new CliError(
      `"${base}" is not a URL; pass --url http://host:port or set PARCELWARDEN_URL.`,
    );
  }
  if (!opts.key) {
    throw new CliError(
      'No API key: set PARCELWARDEN_API_KEY or pass --key (a key from the API_KEYS the API runs with).',
    );
  }
  const key = opts.key;

  async function send(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
    raw?: { text: string; contentType: string; headers?: Record<string, string> },
  ): Promise<Response> {
    const url = base + path;
    try {
      return await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          accept,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(raw ? { 'content-type': raw.contentType, ...raw.headers } : {}),
        },
        body: raw ? raw.text : body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new CliError(
        `Cannot reach the Parcelwarden API at ${url} (${why}).\n` +
          `Start it with \`npm start\` (everything) or \`npm run api\`, or point --url / PARCELWARDEN_URL at a running API.`,
      );
    }
  }

  async function answer<T>(res: Response): Promise<T> {
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: reported below when it was an error
    }
    if (res.ok) return parsed as T;
    const problem: Problem =
      parsed && typeof parsed === 'object' ? (parsed as Problem) : { title: text.slice(0, 200) };
    if (res.status === 401) {
      throw new CliError(
        `The API refused the key (${problem.code ?? '401'}): set PARCELWARDEN_API_KEY or pass --key with a key listed in the API's API_KEYS.`,
      );
    }
    throw new ApiProblem(res.status, problem);
  }

  return {
    url: base,
    async get<T>(path: string): Promise<T> {
      return answer<T>(await send('GET', path));
    },
    async text(path: string, accept: string): Promise<string> {
      const res = await send('GET', path, undefined, accept);
      if (!res.ok) await answer(res);
      return res.text();
    },
    async post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
      const res = await send('POST', path, body);
      return { status: res.status, body: await answer<T>(res) };
    },
    async put<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
      const res = await send('PUT', path, body);
      return { status: res.status, body: await answer<T>(res) };
    },
    async delete(path: string): Promise<{ status: number }> {
      const res = await send('DELETE', path);
      await answer(res);
      return { status: res.status };
    },
    /** Posts a text body as it is (a CSV file), with extra headers such as Idempotency-Key. */
    async postText<T>(
      path: string,
      text: string,
      contentType: string,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; body: T }> {
      const res = await send('POST', path, undefined, 'application/json', {
        text,
        contentType,
        headers,
      });
      return { status: res.status, body: await answer<T>(res) };
    },
  };
}
export type ApiClient = ReturnType<typeof createApiClient>;
