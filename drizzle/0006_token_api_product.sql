CREATE TABLE "api_proxy_usage" (
	"api_key_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"organization_id" uuid NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "api_proxy_usage_api_key_id_connection_id_hour_pk" PRIMARY KEY("api_key_id","connection_id","hour")
);
--> statement-breakpoint
CREATE TABLE "apicbase_api_limits" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL,
	"paused_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "last_used_address" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scopes" text[] DEFAULT '{list,token,proxy}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "apicbase_api_limits" ADD CONSTRAINT "apicbase_api_limits_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_proxy_usage_organization_hour_idx" ON "api_proxy_usage" USING btree ("organization_id","hour");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_scopes_check" CHECK (cardinality("api_keys"."scopes") > 0 and "api_keys"."scopes" <@ array['list','token','proxy']::text[]);