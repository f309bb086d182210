/** The emulator's HTTP server: routing, faults, request log. Handlers are synchronous; only the body read awaits. */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { currentUser, handleLogin, handleLogout, LOGIN_PATH } from "./accounts";
import { API_PATHS, handleApi, throttledResponse } from "./api";
import { handleAuthorize } from "./authorize";
import { CONTROL_PREFIX, handleControl } from "./controls";
import {
  BodyTooLarge,
  HTML,
  html,
  Params,
  parseCookies,
  parseForm,
  readBody,
  type EmulatorResponse,
  type RequestContext,
} from "./http";
import { handleIntrospect, handleRevoke, handleToken } from "./oauth";
import { BAD_REQUEST_PAGE, FAVICON_SVG, indexPage, NOT_FOUND_PAGE, SERVER_ERROR_PAGE } from "./pages";
import { StatePersister, type LoadOutcome } from "./persistence";
import type { Seed } from "./seed";
import { EmulatorState, type EmulatorSettings, type Fault, type FaultEndpoint } from "./state";
import { parseQsl, unquote } from "./uri";

export interface EmulatorOptions {
  seed: Seed;
  settings?: Partial<EmulatorSettings>;
  log?: boolean;
  /**
   * Where to keep the state across restarts (grants, tokens, sessions, clock, active libraries). Unset: in memory
   * only, gone when the emulator stops (tests).
   */
  stateDir?: string;
  /** Milliseconds between a change and its write to `stateDir` (default 200). */
  saveDebounceMs?: number;
}

export interface Emulator {
  server: http.Server;
  state: EmulatorState;
  /** Set with `stateDir`: what the start found there, and the saver. */
  persistence: { loaded: LoadOutcome; persister: StatePersister } | null;
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

interface Route {
  endpoint: FaultEndpoint | null;
  handle(ctx: RequestContext, state: EmulatorState): EmulatorResponse;
}

const SECURITY_HEADERS = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
};

// What a "malformed" fault sends: a 200 whose body is cut off, so it is not valid JSON (or HTML).
const MALFORMED_BODIES: Record<FaultEndpoint, { type: string; body: string }> = {
  token: { type: "application/json", body: '{"access_token": "' },
  introspect: { type: "application/json", body: '{"active": tr' },
  revoke: { type: "application/json", body: '{"error": ' },
  api: { type: "application/json", body: '{"id":1' },
  authorize: { type: HTML, body: '<!DOCTYPE html><html><body><form id="authorizationF' },
};

const CALLER_PREFIX = /^\/__as\/([A-Za-z0-9_.:-]{1,64})(\/.*)$/;

function findRoute(path: string, state: EmulatorState): Route | undefined {
  switch (path) {
    case "/":
      return { endpoint: null, handle: (ctx) => html(200, indexPage(currentUser(ctx, state))) };
    case "/favicon.ico":
    case "/favicon.svg":
      return {
        endpoint: null,
        handle: () => ({
          status: 200,
          headers: { "Content-Type": "image/svg+xml", "Cache-Control": "max-age=86400" },
          body: FAVICON_SVG,
        }),
      };
    case "/oauth/authorize/":
      return { endpoint: "authorize", handle: handleAuthorize };
    case "/oauth/token/":
      return { endpoint: "token", handle: handleToken };
    case "/oauth/introspect/":
      return { endpoint: "introspect", handle: handleIntrospect };
    case "/oauth/revoke_token/":
      return state.settings.revocation_endpoint ? { endpoint: "revoke", handle: handleRevoke } : undefined;
    case API_PATHS.activeLibrary:
    case API_PATHS.libraries:
      return { endpoint: "api", handle: handleApi };
    case LOGIN_PATH:
      return { endpoint: null, handle: handleLogin };
    case "/accounts/logout/":
      return { endpoint: null, handle: handleLogout };
    default:
      // The REST API's resources (their paths end with "/"; without it Django's APPEND_SLASH redirects).
      return path.startsWith(API_PATHS.root) && path.endsWith("/") ? { endpoint: "api", handle: handleApi } : undefined;
  }
}

function faultResponse(fault: Fault): EmulatorResponse | null {
  switch (fault.mode) {
    case "error_500":
      return html(500, SERVER_ERROR_PAGE);
    case "malformed": {
      const malformed = MALFORMED_BODIES[fault.endpoint];
      return { status: 200, headers: { "Content-Type": malformed.type }, body: malformed.body };
    }
    case "rate_limit":
      return throttledResponse(fault.retry_after);
    default:
      return null;
  }
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const state = new EmulatorState(options.seed, options.settings);
  let persistence: Emulator["persistence"] = null;
  if (options.stateDir) {
    const persister = new StatePersister(state, options.stateDir, { debounceMs: options.saveDebounceMs });
    const loaded = persister.load();
    // A new sandbox is saved at once, so its id and start time survive a restart before its first request.
    if (loaded.kind !== "restored") persister.changed();
    persistence = { loaded, persister };
  }
  // Cancels for "slow" faults still waiting, so close() does not hang on them.
  const pendingWaits = new Set<() => void>();

  function send(req: IncomingMessage, res: ServerResponse, path: string, response: EmulatorResponse): void {
    res.writeHead(response.status, {
      ...SECURITY_HEADERS,
      ...response.headers,
      "Content-Length": Buffer.byteLength(response.body),
    });
    res.end(response.body);
    if (options.log) console.log(`${req.method} ${path} ${response.status}`);
  }

  /** Resolves true after `ms`, or false as soon as the client goes away. */
  function waitWhileConnected(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (connected: boolean) => {
        clearTimeout(timer);
        res.off("close", onClose);
        pendingWaits.delete(cancel);
        resolve(connected);
      };
      const onClose = () => finish(false);
      const cancel = () => finish(false);
      const timer = setTimeout(() => finish(!res.destroyed && !res.socket?.destroyed), ms);
      res.once("close", onClose);
      pendingWaits.add(cancel);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = state.now();
    const method = req.method ?? "GET";
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : "";
    let path = unquote(q >= 0 ? rawUrl.slice(0, q) : rawUrl);
    // `/__as/<caller>/oauth/token/` is `/oauth/token/` as called by <caller>: tests tell their processes apart.
    const tagged = CALLER_PREFIX.exec(path);
    const caller = tagged?.[1];
    if (tagged) path = tagged[2]!;

    if (path.startsWith(CONTROL_PREFIX)) {
      const body = await readBody(req);
      return send(req, res, path, handleControl(method, path, body.toString("utf8"), state));
    }

    state.stats.requests.total++;
    const route = findRoute(path, state);
    if (!route) {
      // Django's APPEND_SLASH.
      if (!path.endsWith("/") && (method === "GET" || method === "HEAD") && findRoute(`${path}/`, state)) {
        return send(req, res, path, {
          status: 301,
          headers: { Location: `${path}/${q >= 0 ? `?${rawQuery}` : ""}` },
          body: "",
        });
      }
      return send(req, res, path, html(404, NOT_FOUND_PAGE));
    }
    if (route.endpoint) state.stats.requests[route.endpoint]++;

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return send(req, res, path, html(400, BAD_REQUEST_PAGE));
      throw error;
    }

    if (route.endpoint && state.now() < state.outageUntil) {
      // Apicbase is down: nothing is processed.
      if (state.outageMode === "reset") {
        req.socket.destroy();
        return;
      }
      return send(req, res, path, html(500, SERVER_ERROR_PAGE));
    }
    if (route.endpoint === "api") {
      state.logApiRequest({ method, path, query: rawQuery, headers: { ...req.headers }, body_bytes: body.length });
    }
    const fault = route.endpoint ? state.takeFault(route.endpoint) : undefined;
    if (fault) {
      const failed = faultResponse(fault);
      if (failed) return send(req, res, path, failed);
      // A slow request whose client gave up never reached the application: nothing happens.
      if (fault.mode === "slow" && !(await waitWhileConnected(fault.delay_ms, res))) {
        if (options.log) console.log(`${method} ${path} (client gone during slow fault; not processed)`);
        return;
      }
    }

    const ctx: RequestContext = {
      method,
      rawUrl,
      path,
      rawQuery,
      query: new Params(parseQsl(rawQuery, true)),
      headers: req.headers,
      form: parseForm(req.headers["content-type"], body),
      body,
      cookies: parseCookies(req.headers.cookie),
      caller,
      receivedAt,
    };
    // From here to the write everything is synchronous: validation and commit cannot interleave with another request.
    const response = route.handle(ctx, state);
    if (fault?.mode === "drop_after_commit") {
      if (ctx.refreshEntry) ctx.refreshEntry.answer = "dropped";
      if (options.log) console.log(`${method} ${path} ${response.status} (committed, connection dropped)`);
      req.socket.destroy();
      return;
    }
    send(req, res, path, response);
  }

  const server = http.createServer((req, res) => {
    // Whatever a request changed (a code, a rotation, a login, the clock) is saved shortly after it.
    if (persistence)
      res.once("finish", () => persistence?.persister.changed()).once("close", () => persistence?.persister.changed());
    handle(req, res).catch((error: unknown) => {
      console.error("emulator: request failed:", error instanceof Error ? error.stack : error);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "Content-Type": HTML });
        res.end(SERVER_ERROR_PAGE);
      }
    });
  });

  return {
    server,
    state,
    persistence,
    listen(port: number, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    close() {
      for (const cancel of [...pendingWaits]) cancel();
      return new Promise((resolve) => {
        server.close(() => {
          persistence?.persister.close();
          resolve();
        });
        server.closeAllConnections();
      });
    },
  };
}
