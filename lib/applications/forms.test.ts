import { describe, expect, it } from "vitest";
import { fieldErrorsOf, readFields } from "@/lib/forms";
import { clientId, clientSecret, registerApplicationForm, requestedScopes } from "./forms";

const firstError = (schema: typeof clientId, value: unknown) => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
};

const valid = {
  name: "  Lightspeed   (EU) ",
  clientId: "sandbox-desk-app",
  clientSecret: "sandbox-desk-secret",
  redirectMode: "oob",
  scopes: "library accounts library",
};

describe("client id and secret", () => {
  it("accept printable ASCII without spaces, exactly as typed", () => {
    expect(clientId.parse("aB3-_.~!")).toBe("aB3-_.~!");
    expect(clientSecret.parse("x".repeat(128))).toBe("x".repeat(128));
  });

  it.each([
    ["", "Enter the client id."],
    [" sandbox-desk-app", "Remove the spaces or line breaks around the client id: it is used exactly as typed."],
    ["sandbox-desk-app\n", "Remove the spaces or line breaks around the client id: it is used exactly as typed."],
    ["sandbox desk", "A client id has no spaces."],
    ["café", "A client id has printable ASCII characters only (letters, digits, - _ . and the like)."],
    ["tab\there", "A client id has printable ASCII characters only (letters, digits, - _ . and the like)."],
    ["x".repeat(256), "A client id has at most 255 characters."],
  ])("refuse the client id %j", (value, message) => {
    expect(firstError(clientId, value)).toBe(message);
  });

  it.each([
    [undefined, "Enter the client secret."],
    ["short", "A client secret has at least 8 characters; Apicbase's are long random strings."],
    ["x".repeat(513), "A client secret has at most 512 characters."],
    ["secret with space", "A client secret has no spaces."],
  ])("refuse the secret %j", (value, message) => {
    expect(firstError(clientSecret, value)).toBe(message);
  });
});

describe("requested scopes", () => {
  it("keeps the canonical order without duplicates", () => {
    expect(requestedScopes.parse("sales accounts library accounts")).toEqual(["accounts", "library", "sales"]);
  });

  it("requires accounts and says why", () => {
    const result = requestedScopes.safeParse("library");
    expect(result.error?.issues[0]?.message).toMatch(
      /^Keep “accounts”: the portal reads the approving user's active library with it/,
    );
    expect(requestedScopes.safeParse("").success).toBe(false);
  });

  it("refuses scopes Apicbase does not have", () => {
    expect(requestedScopes.safeParse("accounts admin").error?.issues[0]?.message).toBe("Unknown scope: admin.");
  });
});

describe("the registration form", () => {
  it("reads checked scope boxes from form data and normalizes the name", () => {
    const data = new FormData();
    for (const [name, value] of Object.entries(valid)) if (name !== "scopes") data.set(name, value);
    data.append("scopes", "library");
    data.append("scopes", "accounts");
    data.set("source", "environment");
    const input = readFields(data, Object.keys(registerApplicationForm.shape), ["scopes"]);
    expect(input).not.toHaveProperty("source");
    expect(registerApplicationForm.parse(input)).toEqual({
      name: "Lightspeed (EU)",
      clientId: "sandbox-desk-app",
      clientSecret: "sandbox-desk-secret",
      redirectMode: "oob",
      scopes: ["accounts", "library"],
    });
  });

  it("puts each problem at its field, and catches a secret pasted into both fields", () => {
    const bad = registerApplicationForm.safeParse({ ...valid, name: "", redirectMode: "popup", scopes: "" });
    expect(fieldErrorsOf(bad.error!)).toEqual({
      name: "Enter a name for the application.",
      redirectMode: "Choose how Apicbase hands the code back.",
      scopes: expect.stringMatching(/^Keep “accounts”/),
    });
    const same = registerApplicationForm.safeParse({
      ...valid,
      clientSecret: valid.clientId + "x",
      clientId: valid.clientId + "x",
    });
    expect(fieldErrorsOf(same.error!)).toEqual({
      clientSecret: "The secret is the same as the client id: one of them was pasted into the wrong field.",
    });
  });
});
