import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CODE_MESSAGES } from "@/lib/messages/manual-code";
import { manualCodeField, parseManualCode } from "./manual-code";

/** Apicbase's codes: 30 letters and digits. */
const code = fc.stringMatching(/^[A-Za-z0-9]{30}$/);
const space = fc.constantFrom(" ", "  ", "\t", "\n", "\r\n", "");

/** The ways a person copies a code: alone, in the page's line, quoted, in the address or query string. */
const pasted = (value: string) =>
  fc.constantFrom(
    value,
    `Please return to your application and enter this code: ${value}`,
    `Please return to your application and enter this code:\n\n${value}\n`,
    `“${value}”.`,
    `(${value})`,
    `Success code=${value}`,
    `urn:ietf:wg:oauth:2.0:oob?code=${value}`,
    `https://app.apicbase.com/oauth/authorize/?state=${"s".repeat(30)}&code=${value}#done`,
    `?code=${encodeURIComponent(value)}&state=x`,
  );

describe("parseManualCode (property-based)", () => {
  it("finds the code in every way a person copies it, whatever white space surrounds it", () => {
    fc.assert(
      fc.property(
        code.chain((value) => fc.tuple(fc.constant(value), pasted(value), space, space)),
        ([value, text, before, after]) => {
          expect(parseManualCode(`${before}${text}${after}`)).toEqual({ ok: true, code: value });
        },
      ),
    );
  });

  it("never throws; what it accepts is code-shaped and was in the input; what it refuses says why", () => {
    const messages = new Set<string>(Object.values(CODE_MESSAGES));
    const noisy = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc
        .array(
          fc.oneof(
            code,
            fc.constantFrom("code=", "&", "?", "#", "%", "%zz", "error=access_denied", " ", "\n", "“", "."),
          ),
          { maxLength: 8 },
        )
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(noisy, (input) => {
        const parsed = parseManualCode(input);
        if (parsed.ok) {
          expect(parsed.code).toMatch(/^[A-Za-z0-9]{20,64}$/);
          expect(input.includes(parsed.code) || safeDecode(input).includes(parsed.code)).toBe(true);
        } else {
          expect(messages.has(CODE_MESSAGES[parsed.reason])).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses two different codes instead of guessing, and anything far too long", () => {
    fc.assert(
      fc.property(code, code, space, (first, second, gap) => {
        fc.pre(first !== second);
        expect(parseManualCode(`${first} ${gap}${second}`)).toMatchObject({ ok: false, reason: "several" });
        expect(parseManualCode(`?code=${first}&code=${second}`)).toMatchObject({ ok: false, reason: "several" });
      }),
    );
    fc.assert(
      fc.property(code, fc.integer({ min: 4097, max: 20_000 }), (value, length) => {
        expect(parseManualCode(`${value} ${"x".repeat(length)}`)).toMatchObject({ ok: false, reason: "too_long" });
      }),
      { numRuns: 50 },
    );
  });

  it("the server's zod field agrees with the browser's parser on every input", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), code.chain(pasted)), (input) => {
        const parsed = parseManualCode(input);
        const field = manualCodeField.safeParse(input);
        expect(field.success).toBe(parsed.ok);
        if (field.success && parsed.ok) expect(field.data).toBe(parsed.code);
        if (!field.success && !parsed.ok) expect(field.error.issues[0]?.message).toBe(CODE_MESSAGES[parsed.reason]);
      }),
    );
  });
});

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
