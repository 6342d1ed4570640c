-- Trigram operators for the customer-name search index (a trusted extension since PostgreSQL 13).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "shipments_search_shipment_id_idx" ON "shipments" USING btree (lower("shipment_id") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "shipments_search_order_id_idx" ON "shipments" USING btree (lower("order_id") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "shipments_search_tracking_idx" ON "shipments" USING btree (lower("tracking_number") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "shipments_search_order_name_idx" ON "shipments" USING btree (lower(ltrim("registration" #>> '{shop,orderName}', '#')) text_pattern_ops);--> statement-breakpoint
CREATE INDEX "shipments_search_email_idx" ON "shipments" USING btree (lower("registration" #>> '{customer,email}') text_pattern_ops);--> statement-breakpoint
CREATE INDEX "shipments_search_customer_name_idx" ON "shipments" USING gin (lower("registration" #>> '{customer,name}') gin_trgm_ops);