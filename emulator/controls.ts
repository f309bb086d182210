/** The test controls under /__emulator/ (not part of Apicbase): clock, reset, faults, users, tokens, settings, stats. */
import { z } from "zod";
import { ALL_SCOPES } from "../lib/sandbox";
import { json, type EmulatorResponse } from "./http";
import { tokenResponseBody } from "./oauth";
import { FAULT_ENDPOINTS, FAULT_MODES, type EmulatorState } from "./state";
import { unquote } from "./uri";

export const CONTROL_PREFIX = "/__emulator/";

const clockInput = z.union([
  z.strictObject({ advance_seconds: z.number().min(0) }),
  z.strictObject({ reset: z.literal(true) }),
]);

const faultInput = z.strictObject({
  endpoint: z.enum(FAULT_ENDPOINTS),
  mode: z.enum(FAULT_MODES),
  count: z.number().int().min(1).default(1),
  delay_ms: z.number().int().min(0).default(15_000),
  retry_after: z.number().int().min(0).default(30),
});

const outageInput = z.strictObject({
  seconds: z.number().min(0),
  mode: z.enum(["error_500", "reset"]).default("error_500"),
});

const activeLibraryInput = z.strictObject({ library_id: z.number().int() });
const renameInput = z.strictObject({ email: z.string().min(3).max(200).includes("@") });

const scopeList = z
  .string()
  .transform((scope) => scope.split(/\s+/).filter(Boolean))
  .pipe(z.array(z.enum(ALL_SCOPES)).min(1, "at least one scope"));

const mintInput = z.strictObject({
  email: z.string().min(1),
  client_id: z.string().min(1),
  scope: scopeList,
  expires_in: z.number().int().positive().optional(),
});

const grantInput = z.strictObject({ email: z.string().min(1), client_id: z.string().min(1) });

const settingsInput = z.strictObject({
  code_lifetime_seconds: z.number().int().min(0).optional(),
  access_token_lifetime_seconds: z.number().int().min(0).optional(),
  rotate_refresh_tokens: z.boolean().optional(),
  rate_limit_per_minute: z.number().int().min(0).optional(),
  revocation_endpoint: z.boolean().optional(),
});

class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const message = result.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; ");
  throw new ControlError(400, message);
}

function clockView(state: EmulatorState) {
  return { now: Math.floor(state.now() / 1000), offset_seconds: state.clock.offsetMs / 1000 };
}

function faultsView(state: EmulatorState) {
  return { pending: state.faults.map((fault) => ({ ...fault })) };
}

function requireUser(state: EmulatorState, email: string) {
  const user = state.userByEmail(email);
  if (!user) throw new ControlError(404, `unknown user ${email}`);
  return user;
}

function requireApplication(state: EmulatorState, clientId: string) {
  const app = state.applications.get(clientId);
  if (!app) throw new ControlError(404, `unknown client_id ${clientId}`);
  return app;
}

function route(method: string, path: string, body: unknown, state: EmulatorState): EmulatorResponse {
  const is = (m: string, p: string) => method === m && path === p;

  if (is("GET", "clock")) return json(200, clockView(state));
  if (is("POST", "clock")) {
    const input = parse(clockInput, body);
    if ("reset" in input) state.clock.reset();
    else state.clock.advance(input.advance_seconds);
    return json(200, clockView(state));
  }

  // Which sandbox this is: the portal compares state_since with when it got a connection's tokens, to say "the
  // sandbox was reset" instead of "revoked" for tokens this emulator never issued.
  if (is("GET", "instance")) {
    return json(200, { instance_id: state.instanceId, state_since: new Date(state.stateSince).toISOString() });
  }

  if (is("POST", "reset")) {
    state.reset();
    return json(200, { ok: true });
  }

  if (is("GET", "faults")) return json(200, faultsView(state));
  if (is("POST", "faults")) {
    const input = parse(faultInput, body);
    state.faults.push({
      endpoint: input.endpoint,
      mode: input.mode,
      remaining: input.count,
      delay_ms: input.delay_ms,
      retry_after: input.retry_after,
    });
    return json(200, faultsView(state));
  }
  if (is("DELETE", "faults")) {
    state.faults = [];
    return json(200, faultsView(state));
  }

  if (is("POST", "outage")) {
    const input = parse(outageInput, body);
    state.outageUntil = state.now() + input.seconds * 1000;
    state.outageMode = input.mode;
    return json(200, { until: Math.floor(state.outageUntil / 1000), mode: input.mode });
  }

  // Every refresh_token grant since the last reset (who asked, which refresh token, what it got): test bookkeeping.
  if (is("GET", "refresh-log")) return json(200, { entries: state.refreshLog });

  const activeLibrary = /^users\/([^/]+)\/active-library$/.exec(path);
  if (activeLibrary && method === "POST") {
    const user = requireUser(state, unquote(activeLibrary[1] ?? ""));
    const input = parse(activeLibraryInput, body);
    if (!user.libraries.includes(input.library_id)) {
      throw new ControlError(
        400,
        `library ${input.library_id} is not one of ${user.email}'s libraries (${user.libraries.join(", ")})`,
      );
    }
    user.activeLibrary = input.library_id;
    return json(200, { email: user.email, active_library: user.activeLibrary, libraries: user.libraries });
  }

  // Apicbase lets a user change their username (e-mail): the same user id carries another address from then on.
  const rename = /^users\/([^/]+)\/email$/.exec(path);
  if (rename && method === "POST") {
    const user = requireUser(state, unquote(rename[1] ?? ""));
    const input = parse(renameInput, body);
    if (state.userByEmail(input.email))
      throw new ControlError(409, `${input.email} is already another user's username`);
    user.email = input.email;
    return json(200, { id: user.id, email: user.email });
  }

  if (is("POST", "tokens")) {
    const input = parse(mintInput, body);
    const user = requireUser(state, input.email);
    const app = requireApplication(state, input.client_id);
    const refused = input.scope.filter((scope) => !app.scopes.includes(scope));
    if (refused.length > 0) throw new ControlError(400, `scope: ${app.clientId} may not request ${refused.join(", ")}`);
    const lifetime = input.expires_in ?? state.settings.access_token_lifetime_seconds;
    return json(200, tokenResponseBody(state.issueTokenPair(app.clientId, user.id, input.scope, lifetime), lifetime));
  }

  if (is("POST", "grants/revoke")) {
    const input = parse(grantInput, body);
    const user = requireUser(state, input.email);
    const app = requireApplication(state, input.client_id);
    return json(200, { revoked: state.revokeGrant(app.clientId, user.id) });
  }

  if (is("GET", "settings")) return json(200, state.settings);
  if (is("POST", "settings")) {
    const input = parse(settingsInput, body);
    state.settings = { ...state.settings, ...input };
    return json(200, state.settings);
  }

  if (is("GET", "stats")) return json(200, state.stats);
  // What reached the REST API (method, path, query, headers, body size), newest last: tests of a forwarding client.
  if (is("GET", "api-requests")) return json(200, { requests: state.apiLog });
  // Every code and token issued so far and every client secret: what must never show up in a client's logs or pages.
  if (is("GET", "issued-secrets")) {
    const clientSecrets = [...state.applications.values()].map((app) => app.clientSecret);
    return json(200, { codes_and_tokens: state.issued, client_secrets: clientSecrets });
  }
  if (is("POST", "stats/reset")) {
    state.resetStats();
    return json(200, state.stats);
  }

  throw new ControlError(404, `no control ${method} ${CONTROL_PREFIX}${path}`);
}

export function handleControl(
  method: string,
  pathname: string,
  rawBody: string,
  state: EmulatorState,
): EmulatorResponse {
  let body: unknown = {};
  if (rawBody.trim()) {
    try {
      body = JSON.parse(rawBody);
    } catch {
      return json(400, { error: "the body is not valid JSON" });
    }
  }
  try {
    return route(method, pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, ""), body, state);
  } catch (error) {
    if (error instanceof ControlError) return json(error.status, { error: error.message });
    throw error;
  }
}
