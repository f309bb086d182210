import { randomBytes, randomInt } from "node:crypto";
import type { SandboxUser, Scope } from "../lib/sandbox";
import type { RefreshLogEntry } from "./http";
import { parseSeed, type ParsedSeed, type Seed } from "./seed";

export interface EmulatorSettings {
  code_lifetime_seconds: number;
  access_token_lifetime_seconds: number;
  rotate_refresh_tokens: boolean;
  /** Requests per minute per application on /api/v2/; 0 switches the limit off. */
  rate_limit_per_minute: number;
  /** false: /oauth/revoke_token/ answers 404, as on a server without the route. */
  revocation_endpoint: boolean;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
  code_lifetime_seconds: 60,
  access_token_lifetime_seconds: 604_800,
  rotate_refresh_tokens: true,
  rate_limit_per_minute: 100,
  revocation_endpoint: true,
};

export interface Library {
  id: number;
  name: string;
  status: string;
}

/** An Apicbase user: a sandbox login (lib/sandbox.ts, without the portal's role for it) with Apicbase's id. */
export interface User extends Omit<SandboxUser, "role"> {
  id: number;
}

export interface Application {
  name: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  scopes: Scope[];
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  userId: number;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: number;
}

export interface AccessToken {
  token: string;
  clientId: string;
  userId: number;
  scopes: string[];
  expiresAt: number;
}

export interface RefreshToken {
  token: string;
  clientId: string;
  userId: number;
  /** The scopes a refresh may ask for (DOT reads them from the linked access token). */
  scopes: string[];
  accessToken: string | null;
  revokedAt: number | null;
}

export interface TokenPair {
  access: AccessToken;
  refresh: RefreshToken;
}

export const FAULT_ENDPOINTS = ["token", "introspect", "revoke", "api", "authorize"] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];
export const FAULT_MODES = ["error_500", "slow", "malformed", "rate_limit", "drop_after_commit"] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

export interface Fault {
  endpoint: FaultEndpoint;
  mode: FaultMode;
  remaining: number;
  delay_ms: number;
  retry_after: number;
}

export interface Stats {
  requests: Record<FaultEndpoint | "total", number>;
  token_grants: {
    authorization_code: { ok: number; error: number };
    refresh_token: { ok: number; error: number };
  };
  errors: Record<string, number>;
}

function emptyStats(): Stats {
  return {
    requests: { authorize: 0, token: 0, introspect: 0, revoke: 0, api: 0, total: 0 },
    token_grants: { authorization_code: { ok: 0, error: 0 }, refresh_token: { ok: 0, error: 0 } },
    errors: {},
  };
}

const TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 30 characters of [A-Za-z0-9], like oauthlib's generate_token. */
export function generateToken(length = 30): string {
  let token = "";
  for (let i = 0; i < length; i++) token += TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)];
  return token;
}

function newInstanceId(): string {
  return randomBytes(9).toString("base64url");
}

/** The emulator's clock: real time plus an offset that tests move forward instead of sleeping. */
export class Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

export const RATE_WINDOW_MS = 60_000;

/** A library's ingredient (`/api/v2/products/ingredients/`): enough of Apicbase's resources to proxy reads and writes. */
export interface Ingredient {
  id: number;
  name: string;
  unit: string;
}

/** What reached the REST API, for tests of what a client forwards (the last API_LOG_LIMIT requests). */
export interface ApiRequestRecord {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body_bytes: number;
}
export const API_LOG_LIMIT = 50;

/**
 * Everything the emulator knows, in memory. Every method is synchronous: a check and the write that depends on it
 * happen in one turn of the event loop, so concurrent requests cannot both consume the same code or refresh token.
 */
/** How many issued codes and tokens `issued` keeps (the oldest go first). */
export const ISSUED_LIMIT = 100_000;

export class EmulatorState {
  readonly clock = new Clock();
  settings: EmulatorSettings;
  libraries = new Map<number, Library>();
  users: User[] = [];
  applications = new Map<string, Application>();
  /** sessionid -> user id */
  sessions = new Map<string, number>();
  codes = new Map<string, AuthorizationCode>();
  accessTokens = new Map<string, AccessToken>();
  refreshTokens = new Map<string, RefreshToken>();
  faults: Fault[] = [];
  /** client_id -> times (emulator clock) of the API requests inside the current window */
  rateWindows = new Map<string, number[]>();
  stats: Stats = emptyStats();
  /** library id -> its ingredients, seeded with a few per library. */
  ingredients = new Map<number, Ingredient[]>();
  nextIngredientId = 1;
  apiLog: ApiRequestRecord[] = [];
  /**
   * Every code and token ever issued, newest last (at most ISSUED_LIMIT), kept across resets: tests look for them
   * where no secret may appear (the portal's logs, pages, audit entries).
   */
  readonly issued: string[] = [];
  /**
   * Which sandbox this is: a new id (and `stateSince`, real time in ms) whenever the state starts from the seed
   * (first start without saved state, or a reset). Saved with the state, so a restart keeps them; the portal compares
   * `stateSince` with when it got a connection's tokens to tell "the sandbox was reset" from "revoked".
   */
  instanceId = newInstanceId();
  stateSince = Date.now();
  /** Every refresh_token grant since the last reset, oldest first (at most ISSUED_LIMIT). */
  refreshLog: RefreshLogEntry[] = [];
  /** Until then (emulator clock, ms) every Apicbase endpoint fails as `outageMode` says (an outage of Apicbase). */
  outageUntil = 0;
  outageMode: "error_500" | "reset" = "error_500";

  private readonly seed: ParsedSeed;
  private readonly baseSettings: EmulatorSettings;

  constructor(seed: Seed, settings: Partial<EmulatorSettings> = {}) {
    this.seed = parseSeed(seed);
    this.baseSettings = { ...DEFAULT_SETTINGS, ...settings };
    this.settings = { ...this.baseSettings };
    this.loadSeed();
  }

  /** Back to the seed: no sessions, codes, tokens, faults, clock offset, rate windows, settings overrides or stats. */
  reset(): void {
    this.instanceId = newInstanceId();
    this.stateSince = Date.now();
    this.clock.reset();
    this.settings = { ...this.baseSettings };
    this.sessions.clear();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.faults = [];
    this.rateWindows.clear();
    this.stats = emptyStats();
    this.refreshLog = [];
    this.outageUntil = 0;
    this.apiLog = [];
    this.loadSeed();
  }

  logRefresh(entry: RefreshLogEntry): RefreshLogEntry {
    this.refreshLog.push(entry);
    if (this.refreshLog.length > ISSUED_LIMIT) this.refreshLog.splice(0, this.refreshLog.length - ISSUED_LIMIT);
    return entry;
  }

  logApiRequest(record: ApiRequestRecord): void {
    this.apiLog.push(record);
    if (this.apiLog.length > API_LOG_LIMIT) this.apiLog.splice(0, this.apiLog.length - API_LOG_LIMIT);
  }

  addIngredient(libraryId: number, name: string, unit: string): Ingredient {
    const ingredient = { id: this.nextIngredientId++, name, unit };
    this.ingredients.set(libraryId, [...(this.ingredients.get(libraryId) ?? []), ingredient]);
    return ingredient;
  }

  private loadSeed(): void {
    this.libraries = new Map(this.seed.libraries.map((library) => [library.id, { ...library }]));
    this.ingredients = new Map();
    this.nextIngredientId = 1;
    for (const library of this.libraries.values()) {
      for (const [name, unit] of [
        ["Flour", "kg"],
        ["Butter", "kg"],
        ["Milk", "l"],
      ] as const) {
        this.addIngredient(library.id, `${name} (${library.name})`, unit);
      }
    }
    this.users = this.seed.users.map((user, i) => ({
      id: user.id ?? i + 1,
      email: user.email,
      password: user.password,
      firstName: user.first_name,
      lastName: user.last_name,
      libraries: [...user.libraries],
      activeLibrary: user.active_library ?? user.libraries[0] ?? 0,
    }));
    this.applications = new Map(
      this.seed.applications.map((app) => [
        app.client_id,
        {
          name: app.name,
          clientId: app.client_id,
          clientSecret: app.client_secret,
          redirectUris: [...app.redirect_uris],
          scopes: [...app.scopes],
        },
      ]),
    );
  }

  now(): number {
    return this.clock.now();
  }

  private remember(...secrets: string[]): void {
    this.issued.push(...secrets);
    if (this.issued.length > ISSUED_LIMIT) this.issued.splice(0, this.issued.length - ISSUED_LIMIT);
  }

  userByEmail(email: string): User | undefined {
    return this.users.find((user) => user.email === email);
  }

  userById(id: number): User | undefined {
    return this.users.find((user) => user.id === id);
  }

  createCode(fields: Omit<AuthorizationCode, "code" | "expiresAt">): AuthorizationCode {
    const code = {
      ...fields,
      code: generateToken(),
      expiresAt: this.now() + this.settings.code_lifetime_seconds * 1000,
    };
    this.codes.set(code.code, code);
    this.remember(code.code);
    return code;
  }

  issueTokenPair(
    clientId: string,
    userId: number,
    scopes: string[],
    lifetimeSeconds = this.settings.access_token_lifetime_seconds,
  ): TokenPair {
    const access: AccessToken = {
      token: generateToken(),
      clientId,
      userId,
      scopes,
      expiresAt: this.now() + lifetimeSeconds * 1000,
    };
    const refresh: RefreshToken = {
      token: generateToken(),
      clientId,
      userId,
      scopes,
      accessToken: access.token,
      revokedAt: null,
    };
    this.accessTokens.set(access.token, access);
    this.refreshTokens.set(refresh.token, refresh);
    this.remember(access.token, refresh.token);
    return { access, refresh };
  }

  /**
   * DOT's save_bearer_token for a refresh: with rotation the used refresh token is revoked and its access token
   * deleted at once; without it the same refresh token stays and only its access token is replaced.
   */
  refresh(used: RefreshToken, scopes: string[]): TokenPair {
    if (used.accessToken) this.accessTokens.delete(used.accessToken);
    if (!this.settings.rotate_refresh_tokens) {
      const access: AccessToken = {
        token: generateToken(),
        clientId: used.clientId,
        userId: used.userId,
        scopes,
        expiresAt: this.now() + this.settings.access_token_lifetime_seconds * 1000,
      };
      this.accessTokens.set(access.token, access);
      this.remember(access.token);
      used.accessToken = access.token;
      used.scopes = scopes;
      return { access, refresh: used };
    }
    used.accessToken = null;
    used.revokedAt = this.now();
    return this.issueTokenPair(used.clientId, used.userId, scopes);
  }

  /** A refresh token that still works: known and not revoked. */
  liveRefreshToken(token: string): RefreshToken | undefined {
    const refresh = this.refreshTokens.get(token);
    return refresh && refresh.revokedAt === null ? refresh : undefined;
  }

  /** An access token that exists and has not expired. */
  liveAccessToken(token: string): AccessToken | undefined {
    const access = this.accessTokens.get(token);
    return access && this.now() < access.expiresAt ? access : undefined;
  }

  revokeRefreshToken(refresh: RefreshToken): void {
    if (refresh.revokedAt !== null) return;
    if (refresh.accessToken) this.accessTokens.delete(refresh.accessToken);
    refresh.accessToken = null;
    refresh.revokedAt = this.now();
  }

  /** Access tokens are deleted when revoked (DOT); the refresh token that issued one stays usable. */
  revokeAccessToken(access: AccessToken): void {
    this.accessTokens.delete(access.token);
    for (const refresh of this.refreshTokens.values()) {
      if (refresh.accessToken === access.token) refresh.accessToken = null;
    }
  }

  /** What a library owner removing the app does: every code, access and refresh token of that user and app. */
  revokeGrant(clientId: string, userId: number): { access_tokens: number; refresh_tokens: number; codes: number } {
    const counts = { access_tokens: 0, refresh_tokens: 0, codes: 0 };
    for (const [code, grant] of this.codes) {
      if (grant.clientId === clientId && grant.userId === userId) {
        this.codes.delete(code);
        counts.codes++;
      }
    }
    for (const refresh of this.refreshTokens.values()) {
      if (refresh.clientId === clientId && refresh.userId === userId && refresh.revokedAt === null) {
        refresh.accessToken = null;
        refresh.revokedAt = this.now();
        counts.refresh_tokens++;
      }
    }
    for (const [token, access] of this.accessTokens) {
      if (access.clientId === clientId && access.userId === userId) {
        this.accessTokens.delete(token);
        counts.access_tokens++;
      }
    }
    return counts;
  }

  /** Takes the next pending fault for this endpoint, if any. */
  takeFault(endpoint: FaultEndpoint): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.endpoint === endpoint);
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /**
   * Sliding 60 s window per application. Returns the seconds to wait when over the limit, else records the request
   * and returns null. Refused requests are not recorded (DRF throttling does the same).
   */
  throttle(clientId: string): number | null {
    const limit = this.settings.rate_limit_per_minute;
    if (limit <= 0) return null;
    const now = this.now();
    const window = (this.rateWindows.get(clientId) ?? []).filter((at) => at > now - RATE_WINDOW_MS);
    this.rateWindows.set(clientId, window);
    const oldest = window[window.length - limit];
    if (window.length >= limit && oldest !== undefined) {
      return Math.max(1, Math.ceil((oldest + RATE_WINDOW_MS - now) / 1000));
    }
    window.push(now);
    return null;
  }

  countError(error: string): void {
    this.stats.errors[error] = (this.stats.errors[error] ?? 0) + 1;
  }

  resetStats(): void {
    this.stats = emptyStats();
  }
}
