import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { Policy } from '../../../workflows/shipment.contract';

export const policies = pgTable('policies', {
  name: text('name').primaryKey(),
  version: integer('version').notNull().default(1),
  body: jsonb('body').$type<Policy>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
