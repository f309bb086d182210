import { sql } from "drizzle-orm";
import { alias, PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { pick } from "./columns";
import { apiKeys, users } from "./schema";

describe("pick", () => {
  it("names the table's own columns under their names, in the order asked", () => {
    const picked = pick(apiKeys, "name", "id");
    expect(picked).toEqual({ name: apiKeys.name, id: apiKeys.id });
    expect(Object.keys(picked)).toEqual(["name", "id"]);
  });

  it("takes an alias's columns, which name the alias in SQL", () => {
    const sqlOf = (column: unknown) => new PgDialect().sqlToQuery(sql`${column}`).sql;
    expect(sqlOf(pick(alias(users, "creator"), "email").email)).toBe('"creator"."email"');
    expect(sqlOf(pick(users, "email").email)).toBe('"users"."email"');
  });
});
