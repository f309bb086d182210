ALTER TABLE "applications" ADD COLUMN "credentials_check" jsonb;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;