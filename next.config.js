/**
 * Security headers on every answer: no type sniffing, no framing, a referrer policy, HSTS and no powerful features.
 * The pages' Content-Security-Policy carries a per-request nonce, so proxy.ts sets it (lib/csp.ts); the token API,
 * which proxy.ts skips, gets a policy that allows nothing.
 */
const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // Browsers ignore it over plain http (local runs); behind https it keeps every later visit on https.
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // NEXT_DIST_DIR lets two checkouts' worth of builds (e.g. parallel test runs) live side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite ships WASM and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  poweredByHeader: false,
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      // JSON for backends: nothing may load or run from it.
      { source: "/api/v1/:path*", headers: [{ key: "Content-Security-Policy", value: apiContentSecurityPolicy }] },
      // An authorization link carries its secret in the path: no Referer may ever carry it elsewhere.
      {
        source: "/authorize/:token*",
        headers: [
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Cache-Control", value: "private, no-store" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
