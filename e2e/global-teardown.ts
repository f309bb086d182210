import { rmSync } from "node:fs";

/** Removes this run's portal data directory (playwright.config.ts names it). */
export default function globalTeardown() {
  if (process.env.E2E_DATA_DIR) rmSync(process.env.E2E_DATA_DIR, { recursive: true, force: true });
}
