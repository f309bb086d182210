/**
 * Runs once when a Next.js server starts (never during `next build`): the background token refresher, the webhook
 * and e-mail delivery loop, and the graceful shutdown that lets refreshes under way store their tokens.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installShutdownInServer, startNotificationsInServer, startRefresherInServer } = await import("./lib/lifecycle/server");
  installShutdownInServer();
  startRefresherInServer();
  startNotificationsInServer();
}
