import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { endpointsFromBase, type ApicbaseSettings } from "@/lib/apicbase/config";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import { applications } from "@/lib/db/schema";
import { ensureEnvironmentApplication } from "./applications";

let database: Database;
const settings: ApicbaseSettings = {
  target: "custom",
  endpoints: endpointsFromBase("http://127.0.0.1:9"),
  clientId: "env-app",
  clientSecret: "env-secret",
  scopes: ["accounts", "library"],
  timeoutMs: 1000,
};

beforeAll(async () => {
  database = await openDatabase({ dataDir: MEMORY });
}, 60_000);
afterAll(async () => database?.close());

describe("the environment's application", () => {
  it("is created once, read (not written) on later calls, and follows a change of scopes", async () => {
    const first = await ensureEnvironmentApplication(database.db, settings);
    expect(first).toMatchObject({
      clientId: "env-app",
      source: "environment",
      redirectMode: "redirect",
      scopes: ["accounts", "library"],
    });
    const again = await ensureEnvironmentApplication(database.db, settings);
    expect(again.id).toBe(first.id);
    expect(again.updatedAt.getTime()).toBe(first.updatedAt.getTime());

    const widened = await ensureEnvironmentApplication(database.db, {
      ...settings,
      scopes: ["accounts", "library", "products"],
    });
    expect(widened.id).toBe(first.id);
    expect(widened.scopes).toEqual(["accounts", "library", "products"]);
    expect((await database.db.select().from(applications)).length).toBe(1);
  });

  it("refuses a client id that an admin also registered", async () => {
    await database.db.insert(applications).values({
      name: "Registered",
      clientId: "registered-app",
      source: "registered",
      scopes: ["accounts"],
      clientSecretCiphertext: "v1.k.iv.secret.tag",
    });
    await expect(
      ensureEnvironmentApplication(database.db, { ...settings, clientId: "registered-app" }),
    ).rejects.toThrow(/also registered/);
  });
});
