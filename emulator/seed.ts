import { readFileSync } from "node:fs";
import { z } from "zod";
import { ALL_SCOPES, SANDBOX_DESK_APP, SANDBOX_LIBRARIES, SANDBOX_PARTNER_APP, SANDBOX_USERS } from "../lib/sandbox";
import { isAbsoluteUri } from "./uri";

export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";

const librarySchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  status: z.string().min(1).default("active"),
});

const userSchema = z.object({
  // Numeric Apicbase user id; defaults to the user's position in the seed (1..n).
  id: z.number().int().positive().optional(),
  email: z.string().min(1),
  password: z.string().min(1),
  first_name: z.string().default(""),
  last_name: z.string().default(""),
  libraries: z.array(z.number().int()).min(1),
  // Defaults to the first of `libraries`.
  active_library: z.number().int().optional(),
});

const applicationSchema = z.object({
  name: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  redirect_uris: z
    .array(z.string().refine((uri) => isAbsoluteUri(uri) && !/\s/.test(uri), "must be an absolute URI without spaces"))
    .min(1),
  // The scopes this application may request.
  scopes: z.array(z.enum(ALL_SCOPES)).min(1),
});

export const seedSchema = z
  .object({
    libraries: z.array(librarySchema),
    users: z.array(userSchema),
    applications: z.array(applicationSchema),
  })
  .superRefine((seed, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });

    const libraryIds = new Set<number>();
    seed.libraries.forEach((library, i) => {
      if (libraryIds.has(library.id)) issue(["libraries", i, "id"], `duplicate library id ${library.id}`);
      libraryIds.add(library.id);
    });

    const emails = new Set<string>();
    const userIds = new Set<number>();
    seed.users.forEach((user, i) => {
      if (emails.has(user.email)) issue(["users", i, "email"], `duplicate user ${user.email}`);
      emails.add(user.email);
      const id = user.id ?? i + 1;
      if (userIds.has(id)) issue(["users", i, "id"], `duplicate user id ${id}`);
      userIds.add(id);
      user.libraries.forEach((libraryId, j) => {
        if (!libraryIds.has(libraryId)) issue(["users", i, "libraries", j], `unknown library ${libraryId}`);
      });
      if (user.active_library !== undefined && !user.libraries.includes(user.active_library)) {
        issue(["users", i, "active_library"], `library ${user.active_library} is not one of the user's libraries`);
      }
    });

    const clientIds = new Set<string>();
    seed.applications.forEach((app, i) => {
      if (clientIds.has(app.client_id)) issue(["applications", i, "client_id"], `duplicate client_id ${app.client_id}`);
      clientIds.add(app.client_id);
    });
  });

/** A seed as written (JSON file or code); defaults are filled in by `parseSeed`. */
export type Seed = z.input<typeof seedSchema>;
export type ParsedSeed = z.output<typeof seedSchema>;

export class SeedError extends Error {}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
      return `${path.replace(/^\./, "") || "(seed)"}: ${issue.message}`;
    })
    .join("; ");
}

export function parseSeed(input: unknown): ParsedSeed {
  const result = seedSchema.safeParse(input);
  if (!result.success) throw new SeedError(`invalid seed: ${describeIssues(result.error)}`);
  return result.data;
}

export function loadSeed(path: string): ParsedSeed {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new SeedError(`cannot read seed file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedError(`seed file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseSeed(json);
  } catch (error) {
    throw new SeedError(`seed file ${path}: ${(error as Error).message}`);
  }
}

/** The documented demo seed, built from the portal's sandbox constants so both sides agree. */
export function demoSeed(portalUrl: string): Seed {
  const base = portalUrl.replace(/\/+$/, "");
  return {
    libraries: SANDBOX_LIBRARIES.map((library) => ({ ...library })),
    users: SANDBOX_USERS.map((user) => ({
      email: user.email,
      password: user.password,
      first_name: user.firstName,
      last_name: user.lastName,
      libraries: [...user.libraries],
      active_library: user.activeLibrary,
    })),
    applications: [
      {
        name: SANDBOX_PARTNER_APP.name,
        client_id: SANDBOX_PARTNER_APP.clientId,
        client_secret: SANDBOX_PARTNER_APP.clientSecret,
        redirect_uris: [`${base}/api/auth/callback/apicbase`, `${base}/api/connect/callback`],
        scopes: [...ALL_SCOPES],
      },
      {
        name: SANDBOX_DESK_APP.name,
        client_id: SANDBOX_DESK_APP.clientId,
        client_secret: SANDBOX_DESK_APP.clientSecret,
        redirect_uris: [OOB_REDIRECT_URI],
        scopes: ["accounts", "library"],
      },
    ],
  };
}
