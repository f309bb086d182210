/**
 * Runs once when a Next.js server starts (never during `next build`): the production checks, the local sandbox's
 * demo data, the background token refresher, the webhook and e-mail delivery loop, and the graceful shutdown that
 * lets refreshes under way store their tokens.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { productionRefusals } = await import("./lib/production-checks");
  const refusals = productionRefusals(process.env);
  if (refusals.length > 0) {
    // Before anything is served, seeded or refreshed: `next start` run directly gets the same refusal as `npm start`.
    console.error(`[portal] refusing to start:\n${refusals.map((reason) => `  - ${reason}`).join("\n")}`);
    process.exit(1);
  }
  // Auth.js builds its redirect URI and cookie names from AUTH_URL when set, never from the request's Host header.
  if (process.env.PORTAL_URL) process.env.AUTH_URL ??= process.env.PORTAL_URL;
  await seedSandboxInServer();
  const { installShutdownInServer, startNotificationsInServer, startRefresherInServer } =
    await import("./lib/lifecycle/server");
  installShutdownInServer();
  startRefresherInServer();
  startNotificationsInServer();
}

const SEED_RETRY_MS = 30_000;

/** The local sandbox's demo organization, before the first request; a failure is logged and tried again. */
async function seedSandboxInServer(): Promise<void> {
  const { env } = await import("./lib/env");
  const { seedLocalSandbox } = await import("./lib/db/sandbox-seed");
  const { describeError } = await import("./lib/log");
  const seed = async () => {
    try {
      await seedLocalSandbox(env());
    } catch (error) {
      const reason = describeError(error);
      console.error(`[portal] seeding the local sandbox failed (${reason}); trying again in ${SEED_RETRY_MS / 1000} s`);
      setTimeout(seed, SEED_RETRY_MS).unref();
    }
  };
  await seed();
}
