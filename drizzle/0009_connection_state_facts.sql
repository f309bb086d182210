ALTER TABLE "connections" ADD COLUMN "last_refresh_failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "background_refresh_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "last_verified_token_version" integer;--> statement-breakpoint
-- Existing verifications: taken as about the current tokens only when nothing replaced them since (no later refresh).
UPDATE "connections" SET "last_verified_token_version" = "token_version"
  WHERE "last_verified_at" IS NOT NULL AND ("last_refreshed_at" IS NULL OR "last_refreshed_at" <= "last_verified_at")
  AND "status" NOT IN ('revoking', 'revoked');--> statement-breakpoint
-- A failing connection whose failures are older than this column: the background engine has been retrying.
UPDATE "connections" SET "background_refresh_failures" = "refresh_failure_count", "last_refresh_failed_at" = "updated_at"
  WHERE "status" = 'refresh_failing';
