DROP INDEX "connections_organization_lower_library_name_idx";--> statement-breakpoint
CREATE INDEX "connections_organization_sort_library_idx" ON "connections" USING btree ("organization_id",lower("library_name"),"library_id","id");--> statement-breakpoint
CREATE INDEX "connections_sort_library_idx" ON "connections" USING btree (lower("library_name"),"library_id","id");--> statement-breakpoint
CREATE INDEX "connections_organization_sort_status_idx" ON "connections" USING btree ("organization_id",(case when "status" = 'needs_reauthorization' then 0 when "status" = 'refresh_failing' and "background_refresh_failures" > 0 then 1 when "status" in ('active', 'refresh_failing') then 2 when "status" = 'revoking' then 3 else 4 end),coalesce("access_token_expires_at", 'infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_sort_status_idx" ON "connections" USING btree ((case when "status" = 'needs_reauthorization' then 0 when "status" = 'refresh_failing' and "background_refresh_failures" > 0 then 1 when "status" in ('active', 'refresh_failing') then 2 when "status" = 'revoking' then 3 else 4 end),coalesce("access_token_expires_at", 'infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_organization_sort_expiry_idx" ON "connections" USING btree ("organization_id",coalesce("access_token_expires_at", 'infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_sort_expiry_idx" ON "connections" USING btree (coalesce("access_token_expires_at", 'infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_organization_sort_refreshed_idx" ON "connections" USING btree ("organization_id",coalesce("last_refreshed_at", '-infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_sort_refreshed_idx" ON "connections" USING btree (coalesce("last_refreshed_at", '-infinity'::timestamptz),"id");--> statement-breakpoint
CREATE INDEX "connections_organization_sort_approved_idx" ON "connections" USING btree ("organization_id",lower(coalesce("approved_by_name", "approved_by_email", '')),"id");--> statement-breakpoint
CREATE INDEX "connections_sort_approved_idx" ON "connections" USING btree (lower(coalesce("approved_by_name", "approved_by_email", '')),"id");--> statement-breakpoint
-- Substring search on the library name (lower(library_name) LIKE '%text%') from a trigram index, where the pg_trgm
-- extension can be installed (PGlite loads it, lib/db/client.ts; on PostgreSQL it needs the contrib package and the
-- right to create it). Without it the search still works, by scanning the organization's rows.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): library name search runs without a trigram index', SQLERRM;
END $$;--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
    CREATE INDEX IF NOT EXISTS "connections_library_name_trgm_idx" ON "connections" USING gin (lower("library_name") gin_trgm_ops);
  END IF;
END $$;
