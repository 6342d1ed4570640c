import { integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { Policy } from '../../../workflows/shipment.contract';

/** The current version of each policy: what a new shipment (or a refresh) resolves. */
export const policies = pgTable('policies', {
  name: text('name').primaryKey(),
  version: integer('version').notNull().default(1),
  body: jsonb('body').$type<Policy>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every version a policy has had, kept so a running shipment's thresholds can be explained later. */
export const policyVersions = pgTable(
  'policy_versions',
  {
    name: text('name').notNull(),
    version: integer('version').notNull(),
    body: jsonb('body').$type<Policy>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.name, t.version] })],
);
