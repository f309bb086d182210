/**
 * What a Next.js server does once when it starts, in Node.js only (instrumentation.ts imports this file behind the
 * NEXT_RUNTIME check, after the production checks, so none of it is traced into the Edge bundle): the local
 * sandbox's demo data, the graceful shutdown that lets refreshes under way store their tokens, the background token
 * refresher, the webhook and e-mail delivery loop and the bulk-job runner.
 */
import { seedLocalSandbox } from "@/lib/db/sandbox-seed";
import { env } from "@/lib/env";
import { describeError } from "@/lib/log";
import {
  installShutdownInServer,
  startBulkJobsInServer,
  startNotificationsInServer,
  startRefresherInServer,
} from "@/lib/lifecycle/server";

const SEED_RETRY_MS = 30_000;

export async function startServer(): Promise<void> {
  // Auth.js builds its redirect URI and cookie names from AUTH_URL when set, never from the request's Host header.
  if (process.env.PORTAL_URL) process.env.AUTH_URL ??= process.env.PORTAL_URL;
  await seedSandbox();
  installShutdownInServer();
  startRefresherInServer();
  startNotificationsInServer();
  startBulkJobsInServer();
}

/** The local sandbox's demo organization, before the first request; a failure is logged and tried again. */
async function seedSandbox(): Promise<void> {
  try {
    await seedLocalSandbox(env());
  } catch (error) {
    const reason = describeError(error);
    console.error(`[portal] seeding the local sandbox failed (${reason}); trying again in ${SEED_RETRY_MS / 1000} s`);
    setTimeout(() => void seedSandbox(), SEED_RETRY_MS).unref();
  }
}
