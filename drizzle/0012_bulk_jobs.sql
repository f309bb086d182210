CREATE TABLE "bulk_job_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"job_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"result" text,
	"message" text,
	"link_id" uuid,
	"link_ciphertext" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "bulk_job_items_status_check" CHECK ("bulk_job_items"."status" in ('pending', 'done', 'failed', 'skipped', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "bulk_jobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid,
	"action" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"created_by_user_id" uuid,
	"created_by_label" text NOT NULL,
	"reason" text,
	"selection" text NOT NULL,
	"filter_query" text,
	"matched" integer NOT NULL,
	"total" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"cancelled_by_label" text,
	CONSTRAINT "bulk_jobs_action_check" CHECK ("bulk_jobs"."action" in ('verify', 'refresh', 'reauthorization_links', 'revoke')),
	CONSTRAINT "bulk_jobs_status_check" CHECK ("bulk_jobs"."status" in ('running', 'done', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "bulk_job_items" ADD CONSTRAINT "bulk_job_items_job_id_bulk_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."bulk_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_job_items" ADD CONSTRAINT "bulk_job_items_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_job_items" ADD CONSTRAINT "bulk_job_items_link_id_authorization_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."authorization_links"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_jobs" ADD CONSTRAINT "bulk_jobs_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bulk_jobs" ADD CONSTRAINT "bulk_jobs_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_job_items_job_connection_key" ON "bulk_job_items" USING btree ("job_id","connection_id");--> statement-breakpoint
CREATE INDEX "bulk_job_items_job_status_idx" ON "bulk_job_items" USING btree ("job_id","status");--> statement-breakpoint
CREATE INDEX "bulk_job_items_job_seq_idx" ON "bulk_job_items" USING btree ("job_id","seq");--> statement-breakpoint
CREATE INDEX "bulk_job_items_pending_idx" ON "bulk_job_items" USING btree ("seq") WHERE "bulk_job_items"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "bulk_jobs_organization_created_at_idx" ON "bulk_jobs" USING btree ("organization_id","created_at");--> statement-breakpoint
CREATE INDEX "bulk_jobs_running_idx" ON "bulk_jobs" USING btree ("created_at") WHERE "bulk_jobs"."status" = 'running';