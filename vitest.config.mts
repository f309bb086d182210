import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL(".", import.meta.url)),
      // "server-only" throws outside a React Server environment; tests import server modules directly.
      "server-only": fileURLToPath(new URL("./testing/server-only-stub.ts", import.meta.url)),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", ".next-*/**", "e2e/**", ".data/**"],
    environment: "node",
    // Generous: opening a fresh PGlite takes seconds, and more on a loaded 2-core machine. Timeouts here catch hangs.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
