CREATE TABLE "attempt_counters" (
	"key" text NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "attempt_counters_key_window_started_at_pk" PRIMARY KEY("key","window_started_at")
);
--> statement-breakpoint
CREATE TABLE "email_bindings" (
	"email" text PRIMARY KEY NOT NULL,
	"apicbase_user_id" integer NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	"confirmed_by_user_id" uuid,
	CONSTRAINT "email_bindings_email_lower_case" CHECK ("email_bindings"."email" = lower("email_bindings"."email"))
);
--> statement-breakpoint
ALTER TABLE "email_bindings" ADD CONSTRAINT "email_bindings_confirmed_by_user_id_users_id_fk" FOREIGN KEY ("confirmed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attempt_counters_window_idx" ON "attempt_counters" USING btree ("window_started_at");--> statement-breakpoint
-- Sessions existing at this migration stay valid: their tokens are replaced by their SHA-256 (hex), which is what
-- lib/auth/adapter.ts now stores and looks up. Tokens are 43 base64url characters, so none is mistaken for a hash.
UPDATE "sessions" SET "session_token" = encode(sha256(convert_to("session_token", 'UTF8')), 'hex')
WHERE "session_token" !~ '^[0-9a-f]{64}$';
--> statement-breakpoint
-- Every e-mail a portal user holds now is bound to that user's Apicbase id, as if this were their first sign-in.
INSERT INTO "email_bindings" ("email", "apicbase_user_id")
SELECT lower("email"), "apicbase_user_id" FROM "users" WHERE "email" IS NOT NULL
ON CONFLICT ("email") DO NOTHING;
