import { route, type RouteSpec } from '../http/route';

/**
 * `GET /openapi.json` and `GET /docs`: the document, and a page rendered from it on the server
 * (one HTML file, inline CSS, no script, nothing fetched from elsewhere). Both are public: they
 * describe the API, they do not expose data.
 */
export type Doc = {
  info?: { title?: string; description?: string; version?: string };
  paths?: Record<string, Record<string, unknown>>;
};
type Operation = {
  summary?: string;
  'x-roles'?: string[];
  'x-access'?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};
type Parameter = { name: string; in: string; required?: boolean; schema?: unknown };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Inline code spans of the descriptions (`x`), the only markup we use in them. */
const text = (s: string) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const anchor = (method: string, path: string) =>
  `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '');

function schemaSummary(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return '';
  const s = schema as { type?: unknown; enum?: unknown[]; format?: string };
  if (Array.isArray(s.enum)) return s.enum.map(String).join(' | ');
  return [s.type, s.format].filter(Boolean).map(String).join(', ');
}

function renderOperation(path: string, method: string, op: Operation, shared: Parameter[]): string {
  const params = [...shared, ...(op.parameters ?? [])];
  const roles = op['x-access'] === 'public' ? 'no key' : (op['x-roles'] ?? []).join(', ');
  const body = Object.entries(op.requestBody?.content ?? {});
  return `<section class="op" id="${anchor(method, path)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
<p>${text(op.summary ?? '')}</p>
<p class="roles">Roles: ${esc(roles || '—')}${op['x-access'] === 'signed' ? ' (own credential: see summary)' : ''}</p>
${
  params.length
    ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr>${params
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${esc(schemaSummary(p.schema))}</td></tr>`,
        )
        .join('')}</table>`
    : ''
}
${body
  .map(
    ([type, c]) =>
      `<details><summary>Request body (${esc(type)})</summary><pre>${esc(JSON.stringify(c.schema ?? {}, null, 2))}</pre></details>`,
  )
  .join('')}
<table><tr><th>Status</th><th>Meaning</th></tr>${Object.entries(op.responses ?? {})
    .map(([code, r]) => `<tr><td>${esc(code)}</td><td>${text(r.description ?? '')}</td></tr>`)
    .join('')}</table>
</section>`;
}

export function renderDocs(doc: Doc): string {
  const ops: { path: string; method: string; op: Operation; shared: Parameter[] }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    for (const method of METHODS) {
      if (item[method]) ops.push({ path, method, op: item[method] as Operation, shared });
    }
  }
  const title = esc(doc.info?.title ?? 'API');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:grid;grid-template-columns:20rem 1fr;color:#1d2330}
nav{height:100vh;overflow:auto;position:sticky;top:0;background:#f4f5f8;padding:1rem;font-size:13px}
nav a{display:block;color:inherit;text-decoration:none;padding:2px 0}nav a:hover,nav a:focus{text-decoration:underline}
main{padding:1rem 2rem;max-width:60rem}.op{border-top:1px solid #dde;padding:.5rem 0}
.m{display:inline-block;min-width:4.5em;font:600 12px monospace;padding:2px 6px;border-radius:3px;color:#fff;text-align:center}
.get{background:#2f6fb3}.post{background:#2e8b57}.put{background:#b37a2f}.delete{background:#b33a2f}.patch{background:#6a4fb3}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #dde;padding:2px 8px;text-align:left;vertical-align:top}
pre{background:#f4f5f8;padding:.5rem;overflow:auto;font-size:12px}.roles{color:#555}
</style></head>
<body><nav aria-label="Operations"><strong>${title}</strong><br><a href="/openapi.json">openapi.json</a><hr>${ops
    .map(
      (o) =>
        `<a href="#${anchor(o.method, o.path)}"><span class="m ${o.method}">${o.method.toUpperCase()}</span> ${esc(o.path)}</a>`,
    )
    .join('')}</nav>
<main><h1>${title} <small>v${esc(doc.info?.version ?? '')}</small></h1>
${(doc.info?.description ?? '')
  .split('\n\n')
  .map((p) => `<p>${text(p)}</p>`)
  .join('')}
${ops.map((o) => renderOperation(o.path, o.method, o.op, o.shared)).join('\n')}
</main></body></html>`;
}

/**
 * The document is built from the routes, these two included, so it comes as a function, called
 * once on the first request (the list is complete by then).
 */
export function docsRoutes(document: () => Doc): RouteSpec[] {
  let doc: Doc | undefined;
  let page: string | undefined;
  const built = () => (doc ??= document());
  const json = route({
    method: 'get',
    path: '/openapi.json',
    access: 'public',
    operationId: 'getOpenApiDocument',
    tag: 'Operations',
    summary: 'This document (OpenAPI 3.1)',
    answer: {
      description: 'OpenAPI 3.1',
      contentType: 'application/json',
      bodySchema: { type: 'object' },
    },
    handler: () => built(),
  });

  const html = route({
    method: 'get',
    path: '/docs',
    access: 'public',
    operationId: 'getDocsPage',
    tag: 'Operations',
    summary: 'This document as a readable page (HTML, no external assets)',
    answer: { description: 'HTML page', contentType: 'text/html' },
    handler: ({ res }) => {
      page ??= renderDocs(built());
      res
        .type('html')
        .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(page);
    },
  });

  return [json, html];
}
