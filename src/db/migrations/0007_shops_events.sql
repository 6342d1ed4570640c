CREATE TABLE "shop_orders" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "shop_orders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"shop_id" text NOT NULL,
	"shipment_id" text NOT NULL,
	"replacement_shipment_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"shop_order_id" text,
	"shop_order_name" text,
	"shop_fulfillment_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shop_webhook_receipts" (
	"shop_id" text NOT NULL,
	"webhook_id" text NOT NULL,
	"topic" text NOT NULL,
	"outcome" text NOT NULL,
	"detail" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shop_webhook_receipts_shop_id_webhook_id_pk" PRIMARY KEY("shop_id","webhook_id")
);
--> statement-breakpoint
CREATE TABLE "shops" (
	"shop_id" text PRIMARY KEY NOT NULL,
	"platform" text NOT NULL,
	"domain" text NOT NULL,
	"api_url" text NOT NULL,
	"credentials" text NOT NULL,
	"policy" text DEFAULT 'default' NOT NULL,
	"origin_country" text NOT NULL,
	"sender_name" text,
	"reply_to" text,
	"credentials_failing_since" timestamp with time zone,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "event_deliveries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "event_deliveries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"endpoint_id" text NOT NULL,
	"event_row" bigint NOT NULL,
	"shipment_id" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status_code" integer,
	"last_response" text,
	"last_error" text,
	"last_attempt_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_id" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"type" text NOT NULL,
	"shipment_id" text,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"fanned_out" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_endpoints" (
	"endpoint_id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] NOT NULL,
	"description" text,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "shipments" ADD COLUMN "shop_id" text;--> statement-breakpoint
ALTER TABLE "refunds" ADD COLUMN "shop_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "shop_orders_idempotency_uq" ON "shop_orders" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "shop_orders_shipment_idx" ON "shop_orders" USING btree ("shipment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "shops_platform_domain_uq" ON "shops" USING btree ("platform","domain") WHERE "shops"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "event_deliveries_endpoint_event_uq" ON "event_deliveries" USING btree ("endpoint_id","event_row");--> statement-breakpoint
CREATE INDEX "event_deliveries_due_idx" ON "event_deliveries" USING btree ("next_attempt_at") WHERE "event_deliveries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "event_deliveries_endpoint_idx" ON "event_deliveries" USING btree ("endpoint_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_event_id_uq" ON "events" USING btree ("event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_dedupe_uq" ON "events" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "events_pending_fanout_idx" ON "events" USING btree ("id") WHERE not "events"."fanned_out";--> statement-breakpoint
CREATE INDEX "events_shipment_idx" ON "events" USING btree ("shipment_id","id");--> statement-breakpoint
CREATE INDEX "shipments_shop_order_idx" ON "shipments" USING btree ("shop_id","order_id");