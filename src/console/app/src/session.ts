import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Schemas } from './api/client';

export type Me = Schemas['Me'];

/** The logged-in reviewer: the key (this tab only), their name and what the key may do. */
export interface Session {
  key: string;
  reviewer: string;
  me: Me;
}

const ITEM = 'parcelwarden.console.session';

export function storedSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(ITEM) ?? 'null') as Session | null;
    return s && typeof s.key === 'string' && s.me ? s : undefined;
  } catch {
    return undefined;
  }
}

export function storeSession(s: Session | undefined): void {
  if (s) sessionStorage.setItem(ITEM, JSON.stringify(s));
  else sessionStorage.removeItem(ITEM);
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a logged-in console');
  return s;
}

/** Whether the key may use an action (the API's permission names, GET /v1/me). */
export const may = (s: Session, permission: Me['permissions'][number]) =>
  s.me.permissions.includes(permission);
