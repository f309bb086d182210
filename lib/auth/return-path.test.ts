import { describe, expect, it } from "vitest";
import { DEFAULT_RETURN_PATH, safeReturnPath } from "./return-path";

describe("safeReturnPath", () => {
  it("keeps a path on the portal, with its query", () => {
    expect(safeReturnPath("/admin/organizations")).toBe("/admin/organizations");
    expect(safeReturnPath("/connections?organization=abc&page=2")).toBe("/connections?organization=abc&page=2");
  });

  it.each([
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "%2F%2Fevil.example",
    "/\t/evil.example",
    "/%09/evil.example/../../",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "",
    "connections",
  ])("never leaves the portal: %j", (payload) => {
    const path = safeReturnPath(payload);
    expect(path.startsWith("/")).toBe(true);
    expect(new URL(path, "http://portal.test").origin).toBe("http://portal.test");
  });

  it("falls back to the connections for anything it does not accept, or the sign-in flow itself", () => {
    for (const value of ["//evil.example", undefined, 42, "/signin?callbackUrl=/x", "/api/auth/signout", "/x".repeat(600)]) {
      expect(safeReturnPath(value)).toBe(DEFAULT_RETURN_PATH);
    }
  });
});
