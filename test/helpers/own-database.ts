import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { dropDatabase, ensureDatabase, migrateDatabase } from '../../src/db/client';
import './provided';

export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database on the run's PostgreSQL server, for a test file that counts or
 * lists rows across whole tables while other test files write to the shared database.
 */
export async function ownDatabase(): Promise<OwnDatabase> {
  const serverUrl = inject('databaseServerUrl');
  const name = `pw_own_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const url = await ensureDatabase(serverUrl, name);
  await migrateDatabase(url);
  return {
    url,
    async drop() {
      await dropDatabase(serverUrl, name);
    },
  };
}
