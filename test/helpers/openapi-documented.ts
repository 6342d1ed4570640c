import { expect } from 'vitest';
import { validate, type Schema } from './json-schema';

/** The served OpenAPI document, as far as the response checks read it. */
export type OpenApiDocument = Schema & {
  paths: Record<string, Record<string, { responses: Record<string, Schema> }>>;
};

/** An answer of the API harness (test/api/harness.ts). */
interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * A check of answers against the served document (read lazily: it is fetched in beforeAll): the
 * status is documented for the operation, and the body validates against the named schema
 * documented for that status and content type.
 */
export function documentedAnswers(
  doc: () => OpenApiDocument,
): (method: string, path: string, res: Answer, status: number) => void {
  return (method, path, res, status) => {
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    const response = doc().paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    expect(response, `${method} ${path} ${status} is documented`).toBeDefined();
    const type = res.headers.get('content-type')!.split(';')[0]!;
    const content = (response!.content ?? {}) as Record<string, { schema?: Schema }>;
    const schema = content[type]?.schema;
    expect(schema, `${method} ${path} ${status} documents ${type}`).toBeDefined();
    // A bare `{type: object}` would accept anything: the main answers are described field by field.
    expect(schema!.$ref, `${method} ${path} ${status} references a schema`).toEqual(
      expect.any(String),
    );
    expect(validate(res.body, schema!, doc()), `${method} ${path} ${status}`).toEqual([]);
  };
}
