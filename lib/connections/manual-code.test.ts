import { describe, expect, it } from "vitest";
import { CODE_MESSAGES, REFUSED_CODE_MESSAGES } from "@/lib/messages/manual-code";
import { manualCodeField, parseManualCode, parseOpenedSecondsAgo, refusedCodeReason } from "./manual-code";

const CODE = "h3VbP0xQk9LmN2rT5yW8zA1cD4eF6g";

describe("parseManualCode", () => {
  it("takes the code as pasted, with spaces, tabs and line breaks around it", () => {
    expect(parseManualCode(CODE)).toEqual({ ok: true, code: CODE });
    expect(parseManualCode(`  ${CODE} \n`)).toEqual({ ok: true, code: CODE });
    expect(parseManualCode(`\t${CODE}\r\n`)).toEqual({ ok: true, code: CODE });
  });

  it("finds the code in a whole copied line of Apicbase's page", () => {
    expect(parseManualCode(`Please return to your application and enter this code: ${CODE}`)).toEqual({
      ok: true,
      code: CODE,
    });
    expect(parseManualCode(`Please return to your application and enter this code:\n\n${CODE}\n`)).toEqual({
      ok: true,
      code: CODE,
    });
    expect(parseManualCode(`the code is “${CODE}”.`)).toEqual({ ok: true, code: CODE });
    expect(parseManualCode(`Success code=${CODE}`)).toEqual({ ok: true, code: CODE });
  });

  it("takes code= from a full URL or query string", () => {
    expect(parseManualCode(`urn:ietf:wg:oauth:2.0:oob?code=${CODE}`)).toEqual({ ok: true, code: CODE });
    expect(parseManualCode(`https://app.apicbase.com/oauth/authorize/?code=${CODE}&state=abcdefghijklmnop`)).toEqual({
      ok: true,
      code: CODE,
    });
    expect(parseManualCode(`?state=xyz&code=${CODE}#top`)).toEqual({ ok: true, code: CODE });
    // A URL's other long words (state, paths) do not count as codes once code= names one.
    expect(parseManualCode(`http://x.test/cb?state=${"s".repeat(30)}&code=${CODE}`)).toEqual({ ok: true, code: CODE });
  });

  it("refuses junk with a reason, before anything is sent", () => {
    expect(parseManualCode("")).toMatchObject({ ok: false, reason: "empty" });
    expect(parseManualCode("   \n ")).toMatchObject({ ok: false, reason: "empty" });
    const junk = parseManualCode("hello world");
    expect(junk).toMatchObject({ ok: false, reason: "wrong_shape" });
    expect(!junk.ok && CODE_MESSAGES[junk.reason]).toBe(
      "That is not an Apicbase code: a code is 30 letters and digits, like “h3VbP0x…”. Copy it from Apicbase's page.",
    );
    expect(parseManualCode("abc123")).toMatchObject({ ok: false, reason: "wrong_shape" });
    expect(parseManualCode(`${CODE.slice(0, 20)}-${CODE.slice(20)}`)).toMatchObject({
      ok: false,
      reason: "wrong_shape",
    });
    expect(parseManualCode("x".repeat(65))).toMatchObject({ ok: false, reason: "wrong_shape" });
    expect(parseManualCode("<script>alert(1)</script>")).toMatchObject({ ok: false, reason: "wrong_shape" });
    expect(parseManualCode("a".repeat(5000))).toMatchObject({ ok: false, reason: "too_long" });
    expect(parseManualCode("https://app.apicbase.com/?code=&state=x")).toMatchObject({
      ok: false,
      reason: "wrong_shape",
    });
    expect(parseManualCode("https://app.apicbase.com/?code=not%20a%20code")).toMatchObject({
      ok: false,
      reason: "wrong_shape",
    });
  });

  it("refuses two different codes, and says when the approval was cancelled", () => {
    const other = "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5";
    expect(parseManualCode(`${CODE} ${other}`)).toMatchObject({ ok: false, reason: "several" });
    expect(parseManualCode(`?code=${CODE}&code=${other}`)).toMatchObject({ ok: false, reason: "several" });
    expect(parseManualCode(`${CODE} ${CODE}`)).toEqual({ ok: true, code: CODE });
    expect(parseManualCode("urn:ietf:wg:oauth:2.0:oob?error=access_denied&state=x")).toMatchObject({
      ok: false,
      reason: "denied",
    });
  });
});

describe("manualCodeField", () => {
  it("yields the code or the message for the field", () => {
    expect(manualCodeField.parse(` ${CODE} `)).toBe(CODE);
    const failed = manualCodeField.safeParse("nope");
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toBe(CODE_MESSAGES.wrong_shape);
    expect(manualCodeField.safeParse(undefined).error?.issues[0]?.message).toBe(CODE_MESSAGES.empty);
  });
});

describe("why Apicbase refused a well-formed code", () => {
  it("reads the form's hidden field: empty is never opened, seconds since opening, anything else unknown", () => {
    expect(parseOpenedSecondsAgo("")).toBeNull();
    expect(parseOpenedSecondsAgo("0")).toBe(0);
    expect(parseOpenedSecondsAgo("42")).toBe(42);
    expect(parseOpenedSecondsAgo(null)).toBeUndefined();
    expect(parseOpenedSecondsAgo("-1")).toBeUndefined();
    expect(parseOpenedSecondsAgo("1.5")).toBeUndefined();
    expect(parseOpenedSecondsAgo("soon")).toBeUndefined();
  });

  it("says the link was never opened, too late, or expired or used, as the page knows", () => {
    expect(refusedCodeReason(null)).toBe("never_opened");
    expect(REFUSED_CODE_MESSAGES[refusedCodeReason(null)]).toMatch(
      /not opened Apicbase's approval page .* not one Apicbase issued for this attempt/,
    );
    expect(REFUSED_CODE_MESSAGES[refusedCodeReason(null)]).not.toMatch(/expired|already used/);
    expect(refusedCodeReason(61)).toBe("too_late");
    expect(REFUSED_CODE_MESSAGES.too_late).toMatch(/^This code has expired: Apicbase's codes work for 60 seconds/);
    // Within the minute the page cannot tell an expired code (Apicbase's clock) from a used one.
    expect(refusedCodeReason(5)).toBe("expired_or_used");
    expect(refusedCodeReason(60)).toBe("expired_or_used");
    expect(refusedCodeReason(undefined)).toBe("expired_or_used");
  });
});
