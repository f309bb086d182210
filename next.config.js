/** @type {import('next').NextConfig} */
const nextConfig = {
  // NEXT_DIST_DIR lets two checkouts' worth of builds (e.g. parallel test runs) live side by side.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite ships WASM and data files that must be loaded from node_modules at run time.
  serverExternalPackages: ["@electric-sql/pglite", "pg"],
  poweredByHeader: false,
};

module.exports = nextConfig;
