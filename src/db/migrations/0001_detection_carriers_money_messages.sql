CREATE TABLE "policy_versions" (
	"name" text NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "policy_versions_name_version_pk" PRIMARY KEY("name","version")
);
--> statement-breakpoint
CREATE TABLE "channel_rates" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "channel_rates_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"carrier" text NOT NULL,
	"service" text NOT NULL,
	"origin_country" text NOT NULL,
	"destination_country" text NOT NULL,
	"service_days" integer NOT NULL,
	"postage" numeric(12, 2) NOT NULL,
	"currency" text NOT NULL,
	"insurable" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "purchase_suggestions" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "purchase_suggestions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"shipment_id" text NOT NULL,
	"sku" text NOT NULL,
	"warehouse_id" text,
	"quantity_missing" integer NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_imports" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "stock_imports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"import_key" text NOT NULL,
	"content_hash" text NOT NULL,
	"rows" integer NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_emails" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "inbound_emails_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"message_id" text NOT NULL,
	"from" text NOT NULL,
	"to" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"shipment_id" text,
	"matched_by" text,
	"inquiry_id" text,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inquiry_outcomes" (
	"shipment_id" text NOT NULL,
	"inquiry_id" text NOT NULL,
	"intent" text NOT NULL,
	"language" text,
	"action" text NOT NULL,
	"message_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inquiry_outcomes_shipment_id_inquiry_id_pk" PRIMARY KEY("shipment_id","inquiry_id")
);
--> statement-breakpoint
CREATE TABLE "message_templates" (
	"kind" text NOT NULL,
	"locale" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_templates_kind_locale_pk" PRIMARY KEY("kind","locale")
);
--> statement-breakpoint
CREATE TABLE "surveys" (
	"survey_id" text PRIMARY KEY NOT NULL,
	"shipment_id" text NOT NULL,
	"locale" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rating" integer,
	"comment" text,
	"answered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"provider" text NOT NULL,
	"delivery_id" text NOT NULL,
	"kind" text NOT NULL,
	"events" integer DEFAULT 0 NOT NULL,
	"unknown" integer DEFAULT 0 NOT NULL,
	"redeliveries" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_redelivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "webhook_unknown_references" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "webhook_unknown_references_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"provider" text NOT NULL,
	"kind" text NOT NULL,
	"reference" text NOT NULL,
	"deliveries" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "refunds" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "refunds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"shipment_id" text NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	"currency" text NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"external_reference" text,
	"note" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"role" text NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"source" text DEFAULT 'api' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "report_snapshots" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "report_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"time_zone" text NOT NULL,
	"generated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"workflow_id" text NOT NULL,
	"figures" jsonb NOT NULL,
	"worst_lanes" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "insurance_premium" numeric(12, 2) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "insured" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "total_cost" numeric(12, 2);--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "channel_reason" text;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "channel_alternatives" jsonb;--> statement-breakpoint
ALTER TABLE "warehouses" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "warehouses" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "html" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "alerted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "workflow_id" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "filer" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "rule_name" text;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "trace" jsonb;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "eligible_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "warn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "window_closes_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "purchase_suggestions" ADD CONSTRAINT "purchase_suggestions_warehouse_id_warehouses_warehouse_id_fk" FOREIGN KEY ("warehouse_id") REFERENCES "public"."warehouses"("warehouse_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_rates_lane_uq" ON "channel_rates" USING btree ("carrier","service","origin_country","destination_country");--> statement-breakpoint
CREATE UNIQUE INDEX "purchase_suggestions_key_sku_uq" ON "purchase_suggestions" USING btree ("idempotency_key","sku");--> statement-breakpoint
CREATE INDEX "purchase_suggestions_status_idx" ON "purchase_suggestions" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "stock_imports_key_uq" ON "stock_imports" USING btree ("import_key");--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_emails_message_uq" ON "inbound_emails" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "inbound_emails_shipment_idx" ON "inbound_emails" USING btree ("shipment_id");--> statement-breakpoint
CREATE INDEX "surveys_shipment_idx" ON "surveys" USING btree ("shipment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_provider_delivery_uq" ON "webhook_deliveries" USING btree ("provider","delivery_id");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_unknown_references_uq" ON "webhook_unknown_references" USING btree ("provider","kind","reference");--> statement-breakpoint
CREATE UNIQUE INDEX "refunds_idempotency_uq" ON "refunds" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "refunds_shipment_idx" ON "refunds" USING btree ("shipment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_uq" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_created_idx" ON "api_keys" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "report_snapshots_period_uq" ON "report_snapshots" USING btree ("period_start","period_end");--> statement-breakpoint
CREATE INDEX "notifications_due_idx" ON "notifications" USING btree ("next_attempt_at") WHERE "notifications"."status" <> 'sent';--> statement-breakpoint
CREATE INDEX "claim_history_claim_idx" ON "claim_history" USING btree ("claim_row_id","id");--> statement-breakpoint
CREATE INDEX "claims_shipment_idx" ON "claims" USING btree ("shipment_id");--> statement-breakpoint
CREATE INDEX "claims_status_idx" ON "claims" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "claims_carrier_idx" ON "claims" USING btree ("carrier","id");