CREATE TABLE "authorization_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"organization_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"connection_id" uuid,
	"customer_label" text,
	"state" text,
	"code_verifier_ciphertext" text,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"result_connection_id" uuid,
	CONSTRAINT "authorization_links_token_hash_unique" UNIQUE("token_hash"),
	CONSTRAINT "authorization_links_state_unique" UNIQUE("state")
);
--> statement-breakpoint
ALTER TABLE "authorization_links" ADD CONSTRAINT "authorization_links_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD CONSTRAINT "authorization_links_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD CONSTRAINT "authorization_links_connection_id_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "authorization_links" ADD CONSTRAINT "authorization_links_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "authorization_links_organization_id_idx" ON "authorization_links" USING btree ("organization_id","created_at");