import type { Express } from 'express';
import { PERMISSIONS, ROLES, type Permission, type Role } from '../http/auth';

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
  // ops: decide
  'POST /v1/shipments/{id}/review': 'decide',

  // ops, analyst: read
  'GET /v1/reviews': 'read',
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
