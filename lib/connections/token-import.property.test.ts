import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IMPORT_TOKEN_MAX, importTokensForm } from "./token-import";

const ids = { organizationId: randomUUID(), applicationId: randomUUID() };
/** What a token may be: printable ASCII without white space, 16 to 512 characters (Apicbase's are 30). */
const token = fc.stringMatching(/^[\x21-\x7e]{16,80}$/);
const padding = fc.constantFrom("", " ", "\n", "\t", "  \r\n", " \n ");

describe("token import fields (property-based)", () => {
  it("keeps any well-formed pair exactly, with the white space and 'Bearer ' people copy around it stripped", () => {
    fc.assert(
      fc.property(
        token,
        token,
        padding,
        padding,
        fc.constantFrom("", "Bearer ", "bearer  ", "BEARER\t"),
        (access, refresh, before, after, bearer) => {
          fc.pre(access !== refresh && !/^bearer/i.test(access));
          const parsed = importTokensForm.safeParse({
            ...ids,
            accessToken: `${before}${bearer}${access}${after}`,
            refreshToken: `${after}${refresh}${before}`,
          });
          expect(parsed.success).toBe(true);
          expect(parsed.data).toMatchObject({ accessToken: access, refreshToken: refresh });
        },
      ),
    );
  });

  it("never throws; whatever it accepts is one printable word of a token's length; refusals name the field", () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ unit: "binary", maxLength: 80 }),
      token,
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(
        anyText,
        anyText,
        fc.oneof(fc.constant(ids.applicationId), fc.string()),
        (accessToken, refreshToken, applicationId) => {
          const parsed = importTokensForm.safeParse({
            organizationId: ids.organizationId,
            applicationId,
            accessToken,
            refreshToken,
          });
          if (parsed.success) {
            for (const value of [parsed.data.accessToken, parsed.data.refreshToken]) {
              expect(value).toMatch(/^[\x21-\x7e]+$/);
              expect(value.length).toBeGreaterThanOrEqual(16);
              expect(value.length).toBeLessThanOrEqual(IMPORT_TOKEN_MAX);
            }
            expect(parsed.data.accessToken).not.toBe(parsed.data.refreshToken);
          } else {
            for (const issue of parsed.error.issues) {
              expect(["applicationId", "accessToken", "refreshToken"]).toContain(issue.path[0]);
              expect(issue.message.length).toBeGreaterThan(10);
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("refuses a token with white space or a non-ASCII character inside, at that field", () => {
    const inner = fc.constantFrom(" ", "\n", "\t", "\u00a0", "é", "\u200b", "\u0000");
    fc.assert(
      fc.property(token, token, inner, fc.nat(), (access, refresh, bad, at) => {
        fc.pre(access !== refresh);
        const cut = 1 + (at % (refresh.length - 1));
        const broken = `${refresh.slice(0, cut)}${bad}${refresh.slice(cut)}`;
        const parsed = importTokensForm.safeParse({ ...ids, accessToken: access, refreshToken: broken });
        expect(parsed.success).toBe(false);
        expect(parsed.error?.issues.map((issue) => issue.path[0])).toEqual(["refreshToken"]);
      }),
    );
  });

  it("refuses a token that is too long, and the same token pasted twice", () => {
    fc.assert(
      fc.property(token, fc.integer({ min: IMPORT_TOKEN_MAX + 1, max: 5000 }), (value, length) => {
        const long = value.repeat(Math.ceil(length / value.length)).slice(0, length);
        expect(importTokensForm.safeParse({ ...ids, accessToken: long, refreshToken: value }).success).toBe(false);
        const twice = importTokensForm.safeParse({ ...ids, accessToken: value, refreshToken: ` ${value}\n` });
        fc.pre(!/^bearer/i.test(value));
        expect(twice.error?.issues.map((issue) => issue.path[0])).toEqual(["refreshToken"]);
      }),
      { numRuns: 200 },
    );
  });
});
