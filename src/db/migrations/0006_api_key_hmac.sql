-- Rows from before API_KEY_SECRET hold plain SHA-256: say so. They are rewritten as HMAC-SHA-256 on their first successful use; new rows always name their scheme (no default).
ALTER TABLE "api_keys" ADD COLUMN "hash_scheme" text DEFAULT 'sha256' NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ALTER COLUMN "hash_scheme" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "revoked_by" text;--> statement-breakpoint
-- Until now only an admin could revoke a key.
UPDATE "api_keys" SET "revoked_by" = 'api' WHERE "revoked_at" IS NOT NULL;
