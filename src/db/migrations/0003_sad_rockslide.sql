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
ALTER TABLE "reship_orders" ADD COLUMN "insurance_premium" numeric(12, 2) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "insured" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "total_cost" numeric(12, 2);--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "channel_reason" text;--> statement-breakpoint
ALTER TABLE "reship_orders" ADD COLUMN "channel_alternatives" jsonb;--> statement-breakpoint
ALTER TABLE "warehouses" ADD COLUMN "region" text;--> statement-breakpoint
ALTER TABLE "warehouses" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
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
CREATE UNIQUE INDEX "refunds_idempotency_uq" ON "refunds" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "refunds_shipment_idx" ON "refunds" USING btree ("shipment_id");--> statement-breakpoint
CREATE INDEX "claim_history_claim_idx" ON "claim_history" USING btree ("claim_row_id","id");--> statement-breakpoint
CREATE INDEX "claims_shipment_idx" ON "claims" USING btree ("shipment_id");--> statement-breakpoint
CREATE INDEX "claims_status_idx" ON "claims" USING btree ("status","id");--> statement-breakpoint
CREATE INDEX "claims_carrier_idx" ON "claims" USING btree ("carrier","id");