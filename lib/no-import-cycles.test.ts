import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const SOURCE = /\.(ts|tsx)$/;

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) return sources(file);
    return SOURCE.test(name) && !/\.test\.tsx?$/.test(name) ? [file] : [];
  });
}

/** The file under `within` an import names, or null for packages and anything elsewhere. */
function resolve(from: string, specifier: string, within: string): string | null {
  const base = specifier.startsWith("@/")
    ? path.join(root, specifier.slice(2))
    : specifier.startsWith(".")
      ? path.resolve(path.dirname(from), specifier)
      : null;
  if (!base) return null;
  for (const candidate of [`${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (existsSync(candidate)) return candidate.startsWith(within + path.sep) ? candidate : null;
  }
  return null;
}

/** Every cycle found by a depth-first walk, each as the files around it; type-only imports count too. */
function importCycles(files: string[], within: string): string[][] {
  const edges = new Map(
    files.map((file) => [
      file,
      ts
        .preProcessFile(readFileSync(file, "utf8"), true, true)
        .importedFiles.map((imported) => resolve(file, imported.fileName, within))
        .filter((target): target is string => target !== null),
    ]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === "open")
        cycles.push(stack.slice(stack.indexOf(next)).map((f) => path.relative(within, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe("lib/", () => {
  it("has no import cycle: shared types live in leaf modules, and no module re-exports one that imports it", () => {
    const lib = path.join(root, "lib");
    expect(importCycles(sources(lib), lib)).toEqual([]);
  });

  it("the check finds a cycle, also one closed by a type-only import", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "cycles-"));
    try {
      writeFileSync(path.join(folder, "a.ts"), 'import { b } from "./b";\nexport const a = b;\n');
      writeFileSync(path.join(folder, "b.ts"), 'import type { c } from "./c";\nexport const b = 1;\n');
      writeFileSync(path.join(folder, "c.ts"), 'import { a } from "./a";\nexport const c = a;\n');
      writeFileSync(path.join(folder, "d.ts"), 'import { a } from "./a";\nexport const d = a;\n');
      expect(importCycles(sources(folder), folder)).toEqual([["a.ts", "b.ts", "c.ts"]]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
