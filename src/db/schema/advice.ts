import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Settings kept as versioned documents: the channel policy, the rate card and each seller's
 * packaging rules. `kind` says which; `name` is `default` or the seller. The current version of
 * each is here; every version it has had is in `setting_versions`, as for policies.
 */
export const settings = pgTable(
  'settings',
  {
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    body: jsonb('body').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.name] })],
);

export const settingVersions = pgTable(
  'setting_versions',
  {
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    version: integer('version').notNull(),
    body: jsonb('body').notNull(),
    /** Where the version came from: `api`, `csv:<file or import key>`, `cli`. */
    source: text('source').notNull().default('api'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.name, t.version] })],
);
