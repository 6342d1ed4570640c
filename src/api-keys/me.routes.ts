import { z } from 'zod';
import { PERMISSIONS, ROLES, type Permission } from '../http/auth';
import { named, route, type RouteSpec } from '../http/route';

const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

export const meResponse = named(
  'Me',
  z.object({
    /** The key's id (api_keys.id), as audit logs name it. */
    keyId: z.string(),
    role: z.enum(ROLES),
    /** What this key may do: clients show only the actions it allows (the console's buttons). */
    permissions: z.array(z.enum(PERMISSION_NAMES as [Permission, ...Permission[]])),
  }),
);

/** Who the calling key is: any valid key may ask (a wrong one gets the usual 401). */
export function meRoutes(): RouteSpec[] {
  const me = route({
    method: 'get',
    path: '/v1/me',
    access: 'reference',
    operationId: 'getMe',
    tag: 'API keys',
    summary: 'The calling key: its role and what it may do',
    answer: { description: '{keyId, role, permissions}', schema: meResponse },
    handler: ({ req }) => {
      const role = req.role!;
      return {
        keyId: req.keyId ?? '',
        role,
        permissions: PERMISSION_NAMES.filter((p) =>
          (PERMISSIONS[p] as readonly string[]).includes(role),
        ),
      };
    },
  });
  return [me];
}
