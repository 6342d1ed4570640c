import type { Express, RequestHandler } from 'express';
import { PERMISSIONS, ROLES, type Permission, type Role } from '../http/auth';
import { ProblemError } from '../http/problems';

/**
 * Who may call what: THE table of the API's routes (OpenAPI path templates). A route is either
 * `public`, carries its own credential (`signed`: a provider signature or a signed survey link),
 * or needs one of the permissions of `PERMISSIONS` (whose roles are listed in auth.ts).
 *
 * The access middleware enforces this table before any router runs, the OpenAPI document shows it
 * per operation (`x-roles`), and test/api/keys-role-matrix.test.ts calls every registered route
 * of the app with every role, so a route added without a line here fails that test.
 */
export type Access = 'public' | 'signed' | Permission;

export const ROUTE_ACCESS = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /openapi.json': 'public',
  'GET /docs': 'public',
  'GET /console': 'public',
  'GET /console/console.js': 'public',
  'GET /console/console.css': 'public',
  'GET /survey/{token}': 'signed',
  'POST /survey/{token}': 'signed',
  'POST /v1/webhooks/{provider}': 'signed',

  // ingest: register and push
  'POST /v1/shipments': 'ingest',
  'POST /v1/shipments:batch': 'ingest',
  'POST /v1/tracking-events': 'ingest',
  'POST /v1/shipments/{id}/inquiries': 'ingest',
  'POST /v1/inbound/email': 'ingest',
  'POST /v1/stock:import': 'ingest',

  // ops: decide
  'POST /v1/shipments/{id}/review': 'decide',
  'POST /v1/reviews:batch': 'decide',
  'POST /v1/claims/{id}/outcome': 'decide',
  'POST /v1/shipments/{id}/policy:refresh': 'decide',

  // ops, analyst: read
  'GET /v1/shipments': 'read',
  'GET /v1/shipments/{id}': 'read',
  'GET /v1/shipments/{id}/history': 'read',
  'GET /v1/shipments/{id}/messages': 'read',
  'GET /v1/reviews': 'read',
  'GET /v1/reviews:batch/{id}': 'read',
  'GET /v1/claims': 'read',
  'GET /v1/claims/{id}': 'read',
  'GET /v1/claims/{id}/evidence': 'read',
  'GET /v1/claims/{id}/evidence.pdf': 'read',
  'GET /v1/policies': 'read',
  'GET /v1/policies/{name}': 'read',
  'GET /v1/policies/{name}/versions': 'read',
  'GET /v1/policies/{name}/versions/{version}': 'read',
  'GET /v1/messages': 'read',
  'GET /v1/templates': 'read',
  'GET /v1/templates/{kind}/{locale}': 'read',
  'GET /v1/stock': 'read',
  'GET /v1/warehouses': 'read',
  'GET /v1/warehouses/{id}': 'read',
  'GET /v1/purchase-suggestions': 'read',
  // The Temporal UI's codec server: decoding shows customer data, so the read roles only.
  'POST /codec/decode': 'read',
  'POST /codec/encode': 'configure',
  // A cookie that decode and encode accept for the Temporal UI (src/api/codec-session.ts).
  'POST /codec/session': 'read',
  'DELETE /codec/session': 'read',

  // analyst: the numbers
  'GET /v1/analytics': 'analyze',
  'GET /v1/analytics/{table}': 'analyze',
  'GET /v1/analytics/surveys': 'analyze',
  'GET /v1/webhooks/stats': 'analyze',
  'GET /v1/reports': 'analyze',
  'GET /v1/reports/{id}': 'analyze',
  // Or METRICS_TOKEN; checked by the metrics router itself (src/api/metrics.ts).
  'GET /metrics': 'analyze',

  // admin: configuration and keys
  'PUT /v1/policies/{name}': 'configure',
  'PUT /v1/warehouses/{id}': 'configure',
  'PUT /v1/templates/{kind}/{locale}': 'configure',
  'DELETE /v1/templates/{kind}/{locale}': 'configure',
  'POST /v1/reports:run': 'configure',
  'POST /v1/api-keys': 'administer',
  'GET /v1/api-keys': 'administer',
  'DELETE /v1/api-keys/{id}': 'administer',
} as const satisfies Record<string, Access>;

/** The roles that may call a route with this access; every role for public and signed routes. */
export function rolesFor(access: Access): readonly Role[] {
  return access === 'public' || access === 'signed' ? ROLES : PERMISSIONS[access];
}

/** `/v1/reviews\\:batch/:id` (express) → `/v1/reviews:batch/{id}` (OpenAPI). */
export function openApiPath(expressPath: string): string {
  return expressPath
    .replace(/\\:/g, '\u0000')
    .replace(/:(\w+)/g, '{$1}')
    .replace(/\0/g, ':');
}

interface CompiledRoute {
  method: string;
  template: string;
  access: Access;
  pattern: RegExp;
  params: number;
}

function compile(): CompiledRoute[] {
  return Object.entries(ROUTE_ACCESS as Record<string, Access>)
    .map(([key, access]) => {
      const [method, template] = key.split(' ') as [string, string];
      const parts = template.split(/(\{\w+\})/);
      const source = parts
        .map((p) => (/^\{\w+\}$/.test(p) ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      return {
        method,
        template,
        access,
        // Case-insensitive and with an optional trailing slash, as express routes match.
        pattern: new RegExp(`^${source}/?$`, 'i'),
        params: parts.filter((p) => /^\{\w+\}$/.test(p)).length,
      };
    })
    .sort((a, b) => a.params - b.params); // a literal segment wins: /v1/analytics/surveys
}

const COMPILED = compile();

/** The table entry a request falls under, if any (HEAD is answered by GET routes). */
export function matchRoute(
  method: string,
  path: string,
): { template: string; access: Access } | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return COMPILED.find((r) => r.method === m && r.pattern.test(path));
}

/**
 * Enforces the table for authenticated requests before routers run (and before bodies are
 * parsed). A path the table does not know falls through to the routers, which answer 404.
 */
export const enforceAccess: RequestHandler = (req, _res, next) => {
  const route = matchRoute(req.method, req.path);
  if (!route) {
    next();
    return;
  }
  const roles = rolesFor(route.access);
  if (!req.role || !roles.includes(req.role)) {
    throw new ProblemError(
      403,
      'auth.forbidden',
      'Forbidden',
      `The role "${req.role ?? 'none'}" may not call ${req.method} ${route.template}; allowed roles: ${roles.join(', ')}.`,
    );
  }
  next();
};

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
  slash?: boolean;
}

/**
 * The routes registered on an app, as `METHOD /openapi/{path}`: read from express's router stack
 * (app-level routes and routers mounted at the root, which is how createApp mounts them).
 */
export function listRoutes(app: Express): string[] {
  const out = new Set<string>();
  const walk = (stack: RouterLayer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const path of paths)
          for (const [method, on] of Object.entries(layer.route.methods))
            if (on && method !== '_all') out.add(`${method.toUpperCase()} ${openApiPath(path)}`);
      } else if (layer.handle?.stack) {
        if (!layer.slash) throw new Error('listRoutes reads only routers mounted at the root');
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack);
  return [...out].sort();
}
