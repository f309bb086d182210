import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  {
    rules: {
      // A leading underscore marks a parameter kept on purpose (e.g. the admin a function demands as proof).
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  globalIgnores([
    ".next/**",
    ".next-*/**",
    ".data/**",
    "node_modules/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
  {
    // Keep the layers apart: pages, actions and routes reach the tables only through the data-access layer
    // (lib/dal), and nothing the browser loads imports the database.
    files: ["components/**/*.{ts,tsx}", "app/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/db", "@/lib/db/*", "drizzle-orm", "drizzle-orm/*"],
              message: "Only server modules under lib/ talk to the database: add a function to lib/dal.",
            },
            { group: ["@/emulator/*"], message: "The portal never imports the emulator." },
          ],
        },
      ],
    },
  },
]);
