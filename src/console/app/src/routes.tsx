import type { ComponentType } from 'preact';
import type { Me } from './session';
import { AnalyticsPage } from './pages/analytics';
import { ClaimPage } from './pages/claim';
import { ClaimsPage } from './pages/claims';
import { MessagesPage } from './pages/messages';
import { QueuePage } from './pages/queue';
import { SearchPage } from './pages/search';
import { ShipmentPage } from './pages/shipment';

/** A page of the console: its hash path (wouter pattern), component, and nav entry if any. */
export interface PageRoute {
  path: string;
  // Route parameters arrive as props (`/shipment/:id` → { id }).
  page: ComponentType<{ params: Record<string, string | undefined> }>;
  /** Key in the `common` strings' `nav` object; pages without one are reached by links. */
  nav?: string;
  /** The permission a key needs for the page (its nav entry is hidden otherwise). */
  needs?: Me['permissions'][number];
}

/** Every page, one line each; the first is where `#/` leads. */
export const ROUTES: PageRoute[] = [
  { path: '/queue', page: QueuePage, nav: 'queue', needs: 'read' },
  { path: '/search', page: SearchPage, nav: 'search', needs: 'read' },
  { path: '/search/:q', page: SearchPage, needs: 'read' },
  { path: '/shipment/:id', page: ShipmentPage, needs: 'read' },
  { path: '/messages', page: MessagesPage, nav: 'messages', needs: 'read' },
  { path: '/claims', page: ClaimsPage, nav: 'claims', needs: 'read' },
  { path: '/claim/:id', page: ClaimPage, needs: 'read' },
  { path: '/analytics', page: AnalyticsPage, nav: 'analytics', needs: 'analyze' },
];
