/**
 * `npm run bench:bundle`: each page's first-load JavaScript, gzipped, from the production build (`next build` first;
 * NEXT_DIST_DIR is honoured). Next.js 16 no longer prints it, so it is read from the build's manifests: the root main
 * files every page loads (build-manifest.json) plus every chunk the page's client-reference manifest lists for its
 * layouts, page, loading, error and not-found boundaries. Each chunk is gzipped (level 9) and counted once; kB are
 * 1,000 bytes. Goal (issue 15): /connections ≤ 150 kB. Exits 1 when a goal is missed.
 *
 * Options: --json prints the figures as JSON instead.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createContext, runInContext } from "node:vm";

const GOALS: Record<string, number> = { "/connections": 150 };

const dist = path.join(process.cwd(), process.env.NEXT_DIST_DIR || ".next");

type Manifest = { entryJSFiles?: Record<string, string[]> };

function manifestsUnder(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...manifestsUnder(full));
    else if (entry.name === "page_client-reference-manifest.js") found.push(full);
  }
  return found;
}

/** The manifest file assigns `globalThis.__RSC_MANIFEST[page] = {...}`: run it in a sandbox and read it back. */
function readManifest(file: string): [string, Manifest] {
  const sandbox: { self?: unknown; globalThis?: unknown; __RSC_MANIFEST: Record<string, Manifest> } = {
    __RSC_MANIFEST: {},
  };
  sandbox.self = sandbox;
  sandbox.globalThis = sandbox;
  const context = createContext(sandbox);
  runInContext(readFileSync(file, "utf8"), context);
  const [entry] = Object.entries(sandbox.__RSC_MANIFEST);
  if (!entry) throw new Error(`no manifest in ${file}`);
  return entry;
}

/** "/(portal)/connections/[id]/page" → "/connections/[id]". */
function routeOf(page: string): string {
  const route = page
    .replace(/\/page$/, "")
    .split("/")
    .filter((segment) => segment && !/^\(.*\)$/.test(segment))
    .join("/");
  return `/${route}`;
}

const gzipped = new Map<string, number>();
function size(file: string): number {
  let bytes = gzipped.get(file);
  if (bytes === undefined) {
    bytes = gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
    gzipped.set(file, bytes);
  }
  return bytes;
}

function main() {
  if (!existsSync(path.join(dist, "BUILD_ID"))) {
    console.error(`[bench:bundle] no production build in ${dist}: run \`npx next build\` first`);
    process.exit(1);
  }
  const build = JSON.parse(readFileSync(path.join(dist, "build-manifest.json"), "utf8")) as { rootMainFiles: string[] };
  const rows = manifestsUnder(path.join(dist, "server", "app"))
    .map(readManifest)
    .map(([page, manifest]) => {
      const files = new Set(build.rootMainFiles);
      for (const chunks of Object.values(manifest.entryJSFiles ?? {})) for (const chunk of chunks) files.add(chunk);
      const bytes = [...files].reduce((sum, file) => sum + size(file), 0);
      return { route: routeOf(page), kB: bytes / 1000, files: files.size };
    })
    .filter((row) => !row.route.startsWith("/_"))
    .sort((a, b) => a.route.localeCompare(b.route));

  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(rows, null, 2));
  } else {
    const framework = gzipSync(Buffer.concat(build.rootMainFiles.map((file) => readFileSync(path.join(dist, file)))));
    console.log(
      `First-load JavaScript per page, gzipped (kB = 1,000 bytes), from ${path.relative(process.cwd(), dist)}`,
    );
    console.log(`${"route".padEnd(32)} ${"first load".padStart(10)}  chunks  goal`);
    for (const row of rows) {
      const goal = GOALS[row.route];
      const verdict = goal === undefined ? "" : `≤ ${goal} kB ${row.kB <= goal ? "ok" : "MISSED"}`;
      console.log(
        `${row.route.padEnd(32)} ${`${row.kB.toFixed(1)} kB`.padStart(10)}  ${String(row.files).padStart(6)}  ${verdict}`,
      );
    }
    console.log(
      `(framework runtime alone, the root main files as one gzip: ${(framework.length / 1000).toFixed(1)} kB)`,
    );
  }
  const missed = rows.filter((row) => GOALS[row.route] !== undefined && row.kB > GOALS[row.route]!);
  if (missed.length > 0) process.exitCode = 1;
}

main();
