import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { authRedirect, DEFAULT_RETURN_PATH, portalPath, safeReturnPath } from "./return-path";

const PORTAL = "http://portal.test";

/** Where a browser goes when it gets this Location header on some page of the portal (WHATWG URL, as browsers). */
function landsOn(location: string, from = `${PORTAL}/signin?callbackUrl=x`): URL {
  return new URL(location, from);
}

describe("safeReturnPath", () => {
  it("keeps a path on the portal, with its query", () => {
    expect(safeReturnPath("/admin/organizations")).toBe("/admin/organizations");
    expect(safeReturnPath("/connections?organization=abc&page=2")).toBe("/connections?organization=abc&page=2");
    expect(safeReturnPath("/connections/3f0c?q=a%2Fb#history")).toBe("/connections/3f0c?q=a%2Fb#history");
  });

  it("keeps a path with harmless dot segments, normalised", () => {
    expect(safeReturnPath("/admin/../connections")).toBe("/connections");
    expect(safeReturnPath("/./links")).toBe("/links");
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
    // Dot segments that collapse into a protocol-relative address once normalised.
    "/.//evil.example",
    "/.//evil.example/login",
    "/..//evil.example",
    "/a/..//evil.example",
    "/a/b/../..//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    "/a/%2e%2e//evil.example",
    "/.%2e//evil.example",
    // Encoded separators, which a proxy may decode.
    "/%2f/evil.example",
    "/%2F%2Fevil.example",
    "/.%2f/evil.example",
    "/%5c/evil.example",
    "/%5C%5Cevil.example",
    // Backslashes, tabs, newlines, which browsers read as `/` or drop.
    "/.\\/evil.example",
    "/a/..\\evil.example",
    "/\\/evil.example",
    "/.\t//evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/.\n//evil.example",
    "/ /evil.example",
    "/\u0000/evil.example",
  ])("never leaves the portal: %j", (payload) => {
    const path = safeReturnPath(payload);
    expect(path).toBe(DEFAULT_RETURN_PATH);
    expect(landsOn(path).origin).toBe(PORTAL);
  });

  it("falls back to the connections for anything it does not accept, or the sign-in flow itself", () => {
    const refused = [
      "//evil.example",
      undefined,
      42,
      "/signin?callbackUrl=/x",
      "/signin/error",
      "/api/auth/signout",
      "/x".repeat(600),
    ];
    for (const value of refused) {
      expect(safeReturnPath(value)).toBe(DEFAULT_RETURN_PATH);
    }
    expect(safeReturnPath("/a/../signin")).toBe(DEFAULT_RETURN_PATH);
  });

  // Strings built from the characters that matter to URL parsing, so that the generator hits the tricky cases often.
  const core = fc.constantFrom(
    "/",
    "\\",
    ".",
    "..",
    "%2e",
    "%2f",
    "%5c",
    "\t",
    "\n",
    "evil.example",
    "a",
    "@",
    ":",
    "?",
    "#",
  );
  const exotic = fc.constantFrom(
    "%2E",
    "%2F",
    "%5C",
    "%09",
    "%0a",
    "\r",
    " ",
    "\u0000",
    "\u007f",
    "\u00a0",
    "\u3002",
    "&",
    "=",
    "connections",
    "http:",
    "https:",
    "javascript:",
    "%",
    "%25",
    "\u200b",
    "\ufeff",
    "\uff0f",
    "\uff3c",
    "signin",
  );
  const urlish = fc
    .array(fc.oneof({ arbitrary: core, weight: 4 }, { arbitrary: exotic, weight: 1 }), { maxLength: 10 })
    .map((parts) => parts.join(""));
  // Paths made of dot segments, empty segments and separators in their many spellings.
  const segment = fc.constantFrom("", "", ".", "..", "%2e", "%2E%2e", ".%2e", "a", "evil.example", "\t", "\n", "%09");
  const separator = fc.constantFrom("/", "/", "/", "\\", "%2f", "%5C", "\t/");
  const dotted = fc
    .array(fc.tuple(segment, separator), { maxLength: 6 })
    .map((pairs) => `/${pairs.map(([part, slash]) => part + slash).join("")}evil.example`);
  const candidates = fc.oneof(
    { arbitrary: dotted, weight: 4 },
    { arbitrary: urlish.map((rest) => `/${rest}`), weight: 4 },
    { arbitrary: urlish, weight: 1 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: fc.string({ unit: "binary" }), weight: 1 },
  );

  it("property: whatever the input, the browser stays on the portal and the result is stable", () => {
    fc.assert(
      fc.property(candidates, (value) => {
        const path = safeReturnPath(value);
        expect(path.startsWith("/")).toBe(true);
        expect(path.startsWith("//")).toBe(false);
        expect(/[\\\x00-\x20\x7f]/.test(path)).toBe(false);
        expect(landsOn(path).origin).toBe(PORTAL);
        expect(landsOn(path, `${PORTAL}/a/b/c`).origin).toBe(PORTAL);
        // A second pass changes nothing: what is checked is what is used.
        expect(safeReturnPath(path)).toBe(path);
        expect(portalPath(path)).toBe(path);
      }),
      { numRuns: 5000 },
    );
  });

  it("property: a plain portal path comes back as it was", () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,12}$/).filter((part) => part !== "signin");
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = `/${segments.join("/")}`;
        expect(safeReturnPath(path)).toBe(path);
      }),
    );
  });
});

describe("authRedirect (Auth.js's redirect callback)", () => {
  it("keeps paths and addresses on the portal", () => {
    expect(authRedirect({ url: "/connections?page=2", baseUrl: PORTAL })).toBe(`${PORTAL}/connections?page=2`);
    expect(authRedirect({ url: `${PORTAL}/admin`, baseUrl: PORTAL })).toBe(`${PORTAL}/admin`);
    expect(authRedirect({ url: "/signin?signedOut=1", baseUrl: PORTAL })).toBe(`${PORTAL}/signin?signedOut=1`);
  });

  it.each([
    "https://evil.example/",
    "//evil.example",
    "/.//evil.example",
    `${PORTAL}/..//evil.example`,
    "/%2f/evil.example",
  ])("sends anything else to the default: %j", (url) => {
    expect(authRedirect({ url, baseUrl: PORTAL })).toBe(`${PORTAL}${DEFAULT_RETURN_PATH}`);
  });

  it("property: never leaves the portal's origin", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.webUrl(),
          fc.string().map((rest) => `/${rest}`),
        ),
        (url) => {
          expect(new URL(authRedirect({ url, baseUrl: PORTAL })).origin).toBe(PORTAL);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
