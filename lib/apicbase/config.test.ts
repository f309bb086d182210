import { describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { apicbaseWebBase, resolveApicbaseSettings } from "./config";

const settingsFor = (vars: Record<string, string>) => {
  const env = readEnv(vars as NodeJS.ProcessEnv);
  return { env, settings: resolveApicbaseSettings(env) };
};

describe("Apicbase target and its web address", () => {
  it("without credentials: the bundled emulator on EMULATOR_PORT", () => {
    const { env, settings } = settingsFor({ EMULATOR_PORT: "4555" });
    expect(settings.target).toBe("sandbox");
    expect(settings.endpoints.token).toBe("http://127.0.0.1:4555/oauth/token/");
    expect(apicbaseWebBase(env)).toBe("http://127.0.0.1:4555");
  });

  it("with APICBASE_BASE_URL: that base, without its trailing slash", () => {
    const { env, settings } = settingsFor({
      APICBASE_BASE_URL: "https://staging.example.test/",
      AUTH_APICBASE_ID: "id",
      AUTH_APICBASE_SECRET: "s",
    });
    expect(settings.target).toBe("custom");
    expect(settings.endpoints.api).toBe("https://staging.example.test/api/v2/");
    expect(apicbaseWebBase(env, settings)).toBe("https://staging.example.test");
  });

  it("with credentials only: production, whose people sign in at app.apicbase.com", () => {
    const { env, settings } = settingsFor({ AUTH_APICBASE_ID: "id", AUTH_APICBASE_SECRET: "s" });
    expect(settings.target).toBe("production");
    expect(apicbaseWebBase(env, settings)).toBe("https://app.apicbase.com");
  });

  it("refuses a client id without its secret", () => {
    expect(() => settingsFor({ AUTH_APICBASE_ID: "id" })).toThrow(/AUTH_APICBASE_SECRET must be set/);
  });
});
