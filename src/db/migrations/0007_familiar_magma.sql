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
CREATE UNIQUE INDEX "report_snapshots_period_uq" ON "report_snapshots" USING btree ("period_start","period_end");