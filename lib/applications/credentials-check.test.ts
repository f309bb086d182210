import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ApicbaseClient, OOB_REDIRECT_URI } from "@/lib/apicbase/client";
import { endpointsFromBase } from "@/lib/apicbase/config";
import { SANDBOX_DESK_APP, SANDBOX_PARTNER_APP } from "@/lib/sandbox";
import { suiteEmulator, type TestEmulator } from "@/testing/suite";
import { checkCredentials, describeCredentialsCheck, unusableCode } from "./credentials-check";

let emulator: TestEmulator;
suiteEmulator((started) => (emulator = started));

const client = (clientId: string, clientSecret: string, base = emulator.url, timeoutMs = 2000) =>
  new ApicbaseClient({ endpoints: endpointsFromBase(base), clientId, clientSecret, timeoutMs });

const REDIRECT = "http://localhost:3000/api/connect/callback";

describe("Test credentials against the token endpoint", () => {
  it("says the credentials are fine when only the made-up code is refused (invalid_grant)", async () => {
    const check = await checkCredentials(
      client(SANDBOX_DESK_APP.clientId, SANDBOX_DESK_APP.clientSecret),
      OOB_REDIRECT_URI,
    );
    expect(check).toMatchObject({ result: "accepted", apicbaseError: "invalid_grant", httpStatus: 400 });
    expect(describeCredentialsCheck(check).title).toBe("Credentials fine");
    // Nothing was issued.
    expect((await emulator.control.stats()).token_grants.authorization_code).toEqual({ ok: 0, error: 1 });
  });

  it("says the credentials are wrong for a wrong secret or an unknown client id (invalid_client)", async () => {
    const wrongSecret = await checkCredentials(client(SANDBOX_PARTNER_APP.clientId, "not-the-secret"), REDIRECT);
    expect(wrongSecret).toMatchObject({ result: "rejected", apicbaseError: "invalid_client", httpStatus: 401 });
    const unknownId = await checkCredentials(client("no-such-app", SANDBOX_PARTNER_APP.clientSecret), REDIRECT);
    expect(unknownId.result).toBe("rejected");
    expect(describeCredentialsCheck(wrongSecret)).toMatchObject({ tone: "bad", title: "Wrong credentials" });
    expect(describeCredentialsCheck(wrongSecret).text).toContain("invalid_client");
  });

  it("tells an Apicbase failure, a timeout and an unreachable endpoint apart from an answer about the credentials", async () => {
    await emulator.control.fault({ endpoint: "token", mode: "error_500", count: 1 });
    const failed = await checkCredentials(
      client(SANDBOX_PARTNER_APP.clientId, SANDBOX_PARTNER_APP.clientSecret),
      REDIRECT,
    );
    expect(failed).toMatchObject({ result: "server_error", httpStatus: 500 });
    expect(describeCredentialsCheck(failed).tone).toBe("unknown");

    await emulator.control.fault({ endpoint: "token", mode: "slow", delay_ms: 1500, count: 1 });
    const slow = await checkCredentials(
      client(SANDBOX_PARTNER_APP.clientId, SANDBOX_PARTNER_APP.clientSecret, emulator.url, 300),
      REDIRECT,
    );
    expect(slow.result).toBe("timeout");

    await emulator.control.fault({ endpoint: "token", mode: "rate_limit", retry_after: 30, count: 1 });
    const limited = await checkCredentials(
      client(SANDBOX_PARTNER_APP.clientId, SANDBOX_PARTNER_APP.clientSecret),
      REDIRECT,
    );
    expect(limited).toMatchObject({ result: "rate_limited", httpStatus: 429 });

    // A port nobody listens on.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 9));
      });
    });
    const unreachable = await checkCredentials(client("a", "bbbbbbbb", `http://127.0.0.1:${port}/`), REDIRECT);
    expect(unreachable).toMatchObject({ result: "unreachable", apicbaseError: null });
    expect(describeCredentialsCheck(unreachable).title).toBe("Apicbase unreachable");
  });

  it("sends a fresh Apicbase-shaped code each time", () => {
    const codes = new Set(Array.from({ length: 50 }, unusableCode));
    expect(codes.size).toBe(50);
    for (const code of codes) expect(code).toMatch(/^[A-Za-z0-9]{30}$/);
  });
});
