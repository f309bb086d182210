/**
 * Runs once when a Next.js server starts (never during `next build`). Everything it does is Node.js only: imported
 * inside this check, it stays out of the Edge bundle. The production checks (a module without imports) come before
 * anything else is loaded; then lib/server-start.ts seeds the sandbox and starts the background work.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { productionRefusals } = await import("./lib/production-checks");
    const refusals = productionRefusals(process.env);
    if (refusals.length > 0) {
      // Before anything is served, seeded or refreshed: `next start` run directly gets the refusal `npm start` gives.
      console.error(`[portal] refusing to start:\n${refusals.map((reason) => `  - ${reason}`).join("\n")}`);
      process.exit(1);
    }
    const { startServer } = await import("./lib/server-start");
    await startServer();
  }
}
