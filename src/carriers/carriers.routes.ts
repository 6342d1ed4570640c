import { route, type RouteSpec } from '../http/route';
import { CARRIER_CATALOGUE } from './catalogue';
import { carrierListResponse } from './carriers.schemas';

export function carriersRoutes(): RouteSpec[] {
  const list = route({
    method: 'get',
    path: '/v1/carriers',
    access: 'reference',
    operationId: 'listCarriers',
    tag: 'Carriers',
    summary: 'The carriers we know: codes a registration may use, names and provider codes',
    answer: {
      description: '{items: [{code, name, aftership?, easypost?, track17?, aliases}]}',
      schema: carrierListResponse,
    },
    handler: () => ({
      items: CARRIER_CATALOGUE.map((c) => ({
        code: c.code,
        name: c.name,
        ...(c.aftership ? { aftership: c.aftership } : {}),
        ...(c.easypost ? { easypost: c.easypost } : {}),
        ...(c.track17 !== undefined ? { track17: c.track17 } : {}),
        aliases: [...c.aliases],
      })),
    }),
  });
  return [list];
}
