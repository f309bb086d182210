CREATE TABLE "refresh_control" (
	"id" text PRIMARY KEY NOT NULL,
	"budget_tokens" double precision DEFAULT 0 NOT NULL,
	"budget_refilled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paused_until" timestamp with time zone,
	"breaker_state" text DEFAULT 'closed' NOT NULL,
	"breaker_failures" integer DEFAULT 0 NOT NULL,
	"breaker_open_until" timestamp with time zone,
	"breaker_cooldown_seconds" integer DEFAULT 60 NOT NULL,
	"breaker_probe_started_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refresh_control_breaker_state_check" CHECK ("refresh_control"."breaker_state" in ('closed', 'open', 'half_open')),
	CONSTRAINT "refresh_control_breaker_failures_check" CHECK ("refresh_control"."breaker_failures" >= 0)
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "refresh_paused_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "refresh_paused_reason" text;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "refresh_failure_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "refresh_failure_counted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connections" ADD COLUMN "lease_taken_over_from" text;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_refresh_failure_days_check" CHECK ("connections"."refresh_failure_days" >= 0);