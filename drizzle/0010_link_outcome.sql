ALTER TABLE "authorization_links" ADD COLUMN "result_outcome" text;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD COLUMN "result_library_id" integer;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD COLUMN "result_library_name" text;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD COLUMN "result_approved_by" text;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD CONSTRAINT "authorization_links_result_outcome_check" CHECK ("authorization_links"."result_outcome" in ('connected', 'updated', 'reauthorized'));