/** Runs once when a Next.js server starts (never during `next build`): the background token refresher. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startRefresherInServer } = await import("./lib/lifecycle/server");
  startRefresherInServer();
}
