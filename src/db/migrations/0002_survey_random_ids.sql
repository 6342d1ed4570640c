ALTER TABLE "surveys" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "surveys_idempotency_uq" ON "surveys" USING btree ("idempotency_key");