import { rmSync } from "node:fs";

/** Removes this run's portal data directory and log (playwright.config.ts names them). */
export default function globalTeardown() {
  if (process.env.E2E_DATA_DIR) rmSync(process.env.E2E_DATA_DIR, { recursive: true, force: true });
  if (process.env.E2E_PORTAL_LOG) rmSync(process.env.E2E_PORTAL_LOG, { force: true });
}
