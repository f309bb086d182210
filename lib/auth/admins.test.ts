import { describe, expect, it } from "vitest";
import { configuredAdminEmails, isPortalAdmin, parseAdminEmails } from "./admins";

describe("PORTAL_ADMIN_EMAILS", () => {
  it("accepts commas, semicolons and any white space, in any case", () => {
    expect([
      ...parseAdminEmails(" Ada@Example.com,bob@example.com;\n carol@example.com\tdave@example.com ,, "),
    ]).toEqual(["ada@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]);
  });

  it("ignores what cannot be an e-mail address and counts duplicates once", () => {
    expect([...parseAdminEmails("admins, ada@example.com, ADA@example.com")]).toEqual(["ada@example.com"]);
    expect(parseAdminEmails("").size).toBe(0);
  });

  it("makes the demo admin an admin in the local sandbox only, and only when nothing is configured", () => {
    expect([...configuredAdminEmails("", "sandbox")]).toEqual(["admin@sandbox.test"]);
    expect([...configuredAdminEmails("ops@partner.example", "sandbox")]).toEqual(["ops@partner.example"]);
    expect(configuredAdminEmails("", "production").size).toBe(0);
    expect(configuredAdminEmails("", "custom").size).toBe(0);
  });
});

describe("isPortalAdmin", () => {
  const admins = parseAdminEmails("ada@example.com");

  it("is true for a configured e-mail bound to the user, whatever its case, and for a promoted user", () => {
    expect(isPortalAdmin({ email: "Ada@Example.com", isAdmin: false, emailBound: true }, admins)).toBe(true);
    expect(isPortalAdmin({ email: "piet@example.com", isAdmin: true, emailBound: false }, admins)).toBe(true);
  });

  it("is false for everyone else, including a user without e-mail", () => {
    expect(isPortalAdmin({ email: "piet@example.com", isAdmin: false, emailBound: true }, admins)).toBe(false);
    expect(isPortalAdmin({ email: null, isAdmin: false, emailBound: false }, admins)).toBe(false);
  });

  it("is false for a configured e-mail that another Apicbase user signed in with first", () => {
    expect(isPortalAdmin({ email: "ada@example.com", isAdmin: false, emailBound: false }, admins)).toBe(false);
  });
});
