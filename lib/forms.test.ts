import { describe, expect, it } from "vitest";
import {
  addMemberForm,
  apicbaseEmail,
  createOrganizationForm,
  fieldErrorsOf,
  organizationName,
  readFields,
} from "./forms";

function nameError(value: unknown): string | undefined {
  const result = organizationName.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe("organization name", () => {
  it("collapses white space and trims", () => {
    expect(organizationName.parse("  Lightspeed \t  POS \n")).toBe("Lightspeed POS");
    expect(organizationName.parse("Café Zuid & Co. (BE)")).toBe("Café Zuid & Co. (BE)");
  });

  it("says what is wrong with a bad name", () => {
    expect(nameError("")).toBe("Enter the organization's name.");
    expect(nameError("   ")).toBe("Enter the organization's name.");
    expect(nameError(undefined)).toBe("Enter the organization's name.");
    expect(nameError("A")).toBe("Use at least 2 characters.");
    expect(nameError("x".repeat(81))).toBe("Use at most 80 characters.");
    expect(nameError("Evil\u202Egnp.exe")).toBe("Use letters, digits, spaces and punctuation only.");
    expect(nameError("Null\u0000byte")).toBe("Use letters, digits, spaces and punctuation only.");
    expect(nameError("-- !!")).toBe("Include at least one letter or digit.");
  });
});

describe("Apicbase e-mail", () => {
  it("is trimmed and lower-cased, so it matches the username Apicbase reports", () => {
    expect(apicbaseEmail.parse("  Nora@Sandbox.TEST ")).toBe("nora@sandbox.test");
  });

  it.each([
    ["", "Enter the person's Apicbase e-mail address."],
    ["nora", "Enter an e-mail address like name@company.com."],
    ["nora@", "Enter an e-mail address like name@company.com."],
    ["<script>@x.com", "Enter an e-mail address like name@company.com."],
    [`${"a".repeat(250)}@x.com`, "An e-mail address has at most 254 characters."],
  ])("refuses %j", (value, message) => {
    const result = apicbaseEmail.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});

describe("form reading", () => {
  it("reads only the declared fields, as strings", () => {
    const data = new FormData();
    data.set("name", "Acme");
    data.set("isAdmin", "true");
    data.set("$ACTION_ID_abc", "");
    data.set("file", new Blob(["x"]));
    expect(readFields(data, ["name", "file"])).toEqual({ name: "Acme", file: undefined });
    expect(createOrganizationForm.parse(readFields(data, ["name"]))).toEqual({ name: "Acme" });
  });

  it("gives one message per field, the first", () => {
    const result = addMemberForm.safeParse({ organizationId: "not-a-uuid", email: "" });
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!)).toEqual({
      organizationId: "This item no longer exists. Reload the page.",
      email: "Enter the person's Apicbase e-mail address.",
    });
  });
});
