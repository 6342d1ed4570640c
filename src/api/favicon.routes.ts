import { route, type RouteSpec } from '../http/route';

/**
 * Our icon (a parcel with a check mark), as SVG: browsers ask for `/favicon.ico` on every page of
 * ours (the console, /docs, the survey page) and take an SVG answer there.
 */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<title>Parcelwarden</title>
<path fill="#c8914a" d="M32 4 58 16v32L32 60 6 48V16z"/>
<path fill="#a87436" d="M32 28v32L6 48V16z"/>
<path fill="#e0b27a" d="M6 16 32 4l26 12-26 12z"/>
<path fill="none" stroke="#1d2330" stroke-width="5" stroke-linecap="round" stroke-linejoin="round" d="m36 44 7 7 13-15"/>
</svg>
`;

/** `GET /favicon.ico`: public, like the pages that ask for it. */
export function faviconRoutes(): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/favicon.ico',
      access: 'public',
      operationId: 'getFavicon',
      tag: 'Operations',
      summary: 'Our icon for browser tabs (SVG)',
      answer: {
        description: 'SVG image',
        contentType: 'image/svg+xml',
        bodySchema: { type: 'string' },
      },
      handler: ({ res }) => {
        res.type('image/svg+xml').set('Cache-Control', 'public, max-age=86400').send(FAVICON_SVG);
      },
    }),
  ];
}
