/**
 * `npm test`: every check in order (format, lint, types, unit and integration tests, the short chaos run on PostgreSQL,
 * production build, end-to-end tests),
 * carrying on after a failure and exiting non-zero if anything failed. Each runner's own output stays visible;
 * the closing lines sum them up, the last one as `tests: N passed, N failed[, N skipped]`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { explicitPostgresUrl, findPostgres, triedPostgresUrls } from "../testing/postgres";

// npm runs scripts from the package root.
const root = process.cwd();
const reports = path.join(root, "test-results");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
// No build or server of a test run should try to reach Next.js' telemetry service.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

type Counts = { passed: number; failed: number; skipped: number };
type Outcome = { name: string; ok: boolean; summary: string; counts?: Counts };

function banner(title: string) {
  console.log(`\n━━ ${title} ━━`);
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
    child.on("error", (error) => {
      console.error(`could not run ${command}: ${error.message}`);
      resolve(1);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

const format = ({ passed, failed, skipped }: Counts) =>
  `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;

/** A test runner's outcome; a run that broke outside any test (a crash, a server that did not start) is one failure. */
function runnerOutcome(name: string, code: number, counts: Counts | undefined, note = ""): Outcome {
  if (!counts)
    return {
      name,
      ok: false,
      summary: `failed (exit code ${code}, no report)`,
      counts: { passed: 0, failed: 1, skipped: 0 },
    };
  const ok = code === 0 && counts.failed === 0;
  if (!ok && counts.failed === 0) counts = { ...counts, failed: 1 };
  return { name, ok, summary: format(counts) + note, counts };
}

async function check(name: string, title: string, command: string, args: string[]): Promise<Outcome> {
  banner(title);
  const code = await run(command, args);
  return { name, ok: code === 0, summary: code === 0 ? "ok" : `failed (exit code ${code})` };
}

type VitestReport = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    status: string;
    assertionResults: { ancestorTitles: string[]; title: string; status: string }[];
  }[];
};

async function unit(): Promise<Outcome> {
  banner("unit and integration tests (vitest run)");
  const file = path.join(reports, "vitest.json");
  rmSync(file, { force: true });
  const code = await run(bin("vitest"), [
    "run",
    "--passWithNoTests",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${file}`,
  ]);
  const report = readJson<VitestReport>(file);
  if (!report) return runnerOutcome("unit", code, undefined);

  // A file that fails to load has no test results of its own: count it as one failure.
  const brokenFiles = report.testResults.filter(
    (r) => r.status === "failed" && !r.assertionResults.some((a) => a.status === "failed"),
  );
  const counts = {
    passed: report.numPassedTests,
    failed: report.numFailedTests + brokenFiles.length,
    skipped: report.numPendingTests + report.numTodoTests,
  };
  // Skipped tests by file and suite: a whole suite (e.g. PostgreSQL without a server) as one line.
  const skipped = new Map<string, string[]>();
  for (const result of report.testResults) {
    for (const test of result.assertionResults) {
      if (test.status === "passed" || test.status === "failed") continue;
      const where = [path.relative(root, result.name), ...test.ancestorTitles].join(" › ");
      skipped.set(where, [...(skipped.get(where) ?? []), test.title]);
    }
  }
  if (skipped.size > 0) {
    console.log("\nSkipped:");
    for (const [where, titles] of skipped) {
      console.log(
        titles.length <= 2
          ? titles.map((title) => `  ${where} › ${title}`).join("\n")
          : `  ${where}: ${titles.length} tests`,
      );
    }
  }
  for (const broken of brokenFiles) console.log(`Failed to run: ${path.relative(root, broken.name)}`);
  return runnerOutcome("unit", code, counts);
}

/** The four figures of `bench:chaos` that must be 0, each counted as one test. */
const CHAOS_FIGURES = [
  ["lostWithoutCause", "connections lost without an injected cause"],
  ["redeemedTwice", "refresh tokens redeemed twice"],
  ["stale", "stored tokens that are not the latest the emulator issued"],
  ["lostToSigterm", "rotations lost to SIGTERM"],
] as const;

async function chaos(): Promise<Outcome> {
  banner("chaos run on PostgreSQL (npm run bench:chaos -- --quick)");
  if (!(await findPostgres())) {
    if (explicitPostgresUrl) {
      console.log(`TEST_DATABASE_URL is set but PostgreSQL is not reachable there: the chaos run cannot run.`);
      const counts = { passed: 0, failed: CHAOS_FIGURES.length, skipped: 0 };
      return { name: "chaos", ok: false, summary: "failed: PostgreSQL unreachable", counts };
    }
    console.log(`Skipped: the chaos run needs PostgreSQL, and none is reachable at ${triedPostgresUrls}.`);
    const counts = { passed: 0, failed: 0, skipped: CHAOS_FIGURES.length };
    return { name: "chaos", ok: true, summary: "skipped (no PostgreSQL)", counts };
  }
  const file = path.join(reports, "chaos.json");
  rmSync(file, { force: true });
  const code = await run(bin("tsx"), ["scripts/bench-chaos.ts", "--quick", "--json", file]);
  const figures = readJson<Record<(typeof CHAOS_FIGURES)[number][0], number>>(file);
  if (!figures) return runnerOutcome("chaos", code, undefined);
  const failed = CHAOS_FIGURES.filter(([key]) => figures[key] !== 0);
  for (const [key, label] of failed) console.log(`chaos: ${label}: ${figures[key]} (must be 0)`);
  const counts = { passed: CHAOS_FIGURES.length - failed.length, failed: failed.length, skipped: 0 };
  return runnerOutcome("chaos", code, counts);
}

type PlaywrightReport = {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
};

async function e2e(): Promise<Outcome> {
  banner("end-to-end tests (playwright test)");
  const file = path.join(reports, "playwright.json");
  rmSync(file, { force: true });
  const code = await run(bin("playwright"), ["test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_FILE: file });
  const stats = readJson<PlaywrightReport>(file)?.stats;
  if (!stats) return runnerOutcome("e2e", code, undefined);
  const counts = { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
  return runnerOutcome("e2e", code, counts, stats.flaky ? ` (${stats.flaky} passed only on retry)` : "");
}

async function main() {
  mkdirSync(reports, { recursive: true });
  const outcomes: Outcome[] = [];
  outcomes.push(
    await check("format", "format (prettier --check .)", bin("prettier"), ["--check", "--log-level=warn", "."]),
  );
  outcomes.push(await check("lint", "lint (eslint .)", bin("eslint"), ["."]));
  outcomes.push(await check("types", "types (tsc --noEmit)", bin("tsc"), ["--noEmit"]));
  outcomes.push(await unit());
  outcomes.push(await chaos());
  const build = await check("build", "production build (next build)", bin("next"), ["build"]);
  outcomes.push(build);
  if (build.ok && existsSync(path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID"))) {
    outcomes.push(await e2e());
  } else {
    outcomes.push({
      name: "e2e",
      ok: false,
      summary: "not run: the production build failed",
      counts: { passed: 0, failed: 0, skipped: 0 },
    });
  }

  // A failed step that has no tests of its own (lint, types, build) counts as one failure in the total.
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const outcome of outcomes) {
    const counts = outcome.counts ?? { passed: 0, failed: outcome.ok ? 0 : 1, skipped: 0 };
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }

  console.log("");
  for (const outcome of outcomes) console.log(`${outcome.name}: ${outcome.summary}`);
  console.log(`tests: ${format(total)}`);
  process.exitCode = outcomes.every((outcome) => outcome.ok) ? 0 : 1;
}

void main();
