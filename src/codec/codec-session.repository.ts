import { eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { codecSessionRevocations } from '../db/schema/codec-sessions';

/**
 * Ended codec sessions, in PostgreSQL so that every API replica refuses a session that any of
 * them ended.
 */
export function createCodecSessionRevocations(db: Db) {
  return {
    /** Ends a session for good; ending it again changes nothing. `now` is the sessions' clock. */
    async revoke(sessionId: string, expiresAt: Date, now: Date): Promise<void> {
      await db
        .insert(codecSessionRevocations)
        .values({ sessionId, expiresAt })
        .onConflictDoNothing();
      // Rows of expired sessions guard nothing any more: the signature check refuses those.
      await db.delete(codecSessionRevocations).where(lt(codecSessionRevocations.expiresAt, now));
    },

    async isRevoked(sessionId: string): Promise<boolean> {
      const [row] = await db
        .select({ sessionId: codecSessionRevocations.sessionId })
        .from(codecSessionRevocations)
        .where(eq(codecSessionRevocations.sessionId, sessionId));
      return row !== undefined;
    },
  };
}
export type CodecSessionRevocations = ReturnType<typeof createCodecSessionRevocations>;
