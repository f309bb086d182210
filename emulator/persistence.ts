/**
 * The sandbox's memory across restarts: grants (codes, access and refresh tokens), web sessions, the clock offset and
 * every user's active library, saved as JSON under a state directory (`npm start` uses `<DATA_DIR>/emulator/`).
 * Written atomically (a temporary file, then a rename), debounced after changes and once more on close, so a crash
 * loses at most the last moments and never leaves a half-written file. Seed data (libraries, users, applications)
 * and settings are not saved: they come from the seed and the environment on every start.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { EmulatorState } from "./state";

export const STATE_FILE = "state.json";
const FORMAT = "apicbase-emulator-state";

const codeSchema = z.object({
  code: z.string(),
  clientId: z.string(),
  userId: z.number().int(),
  redirectUri: z.string(),
  scopes: z.array(z.string()),
  codeChallenge: z.string().nullable(),
  codeChallengeMethod: z.string().nullable(),
  expiresAt: z.number(),
});
/** What every token records: itself, and whose grant (application, user, scopes) it belongs to. */
const tokenSchema = z.object({
  token: z.string(),
  clientId: z.string(),
  userId: z.number().int(),
  scopes: z.array(z.string()),
});
const accessTokenSchema = tokenSchema.extend({ expiresAt: z.number() });
const refreshTokenSchema = tokenSchema.extend({
  accessToken: z.string().nullable(),
  revokedAt: z.number().nullable(),
});

const savedStateSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  saved_at: z.string(),
  instance_id: z.string().min(1),
  state_since: z.number(),
  clock_offset_ms: z.number(),
  /** e-mail -> active library id */
  active_libraries: z.record(z.string(), z.number().int()),
  /** [sessionid, user id] */
  sessions: z.array(z.tuple([z.string(), z.number().int()])),
  codes: z.array(codeSchema),
  access_tokens: z.array(accessTokenSchema),
  refresh_tokens: z.array(refreshTokenSchema),
});
export type SavedState = z.infer<typeof savedStateSchema>;

/** What is saved of the state: everything a person or a portal did, nothing the seed or environment decides. */
export function snapshotState(state: EmulatorState, savedAt = new Date()): SavedState {
  return {
    format: FORMAT,
    version: 1,
    saved_at: savedAt.toISOString(),
    instance_id: state.instanceId,
    state_since: state.stateSince,
    clock_offset_ms: state.clock.offsetMs,
    active_libraries: Object.fromEntries(state.users.map((user) => [user.email, user.activeLibrary])),
    sessions: [...state.sessions],
    codes: [...state.codes.values()].map((code) => ({ ...code })),
    access_tokens: [...state.accessTokens.values()].map((token) => ({ ...token })),
    refresh_tokens: [...state.refreshTokens.values()].map((token) => ({ ...token })),
  };
}

/**
 * Puts a saved state back on top of the seed. Grants of users or applications the seed no longer has are dropped, and
 * an active library the user no longer has access to falls back to the seed's.
 */
export function restoreState(state: EmulatorState, saved: SavedState): void {
  const userIds = new Set(state.users.map((user) => user.id));
  const known = (grant: { userId: number; clientId: string }) =>
    userIds.has(grant.userId) && state.applications.has(grant.clientId);
  state.instanceId = saved.instance_id;
  state.stateSince = saved.state_since;
  state.clock.offsetMs = saved.clock_offset_ms;
  for (const user of state.users) {
    const active = saved.active_libraries[user.email];
    if (active !== undefined && user.libraries.includes(active)) user.activeLibrary = active;
  }
  state.sessions = new Map(saved.sessions.filter(([, userId]) => userIds.has(userId)));
  state.codes = new Map(saved.codes.filter(known).map((code) => [code.code, { ...code }]));
  state.accessTokens = new Map(saved.access_tokens.filter(known).map((token) => [token.token, { ...token }]));
  state.refreshTokens = new Map(saved.refresh_tokens.filter(known).map((token) => [token.token, { ...token }]));
}

export type LoadOutcome =
  | { kind: "fresh" }
  | { kind: "restored"; savedAt: string; grants: number }
  | { kind: "unreadable"; movedTo: string; reason: string };

/** Writes `data` to `file` so that a reader sees the old or the new content, never a mix: temp file, fsync, rename. */
export function writeFileAtomic(file: string, data: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Saves one emulator's state under `dir`: `load()` once at start, `changed()` after every request, `close()` last. */
export class StatePersister {
  readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  /** How many times the state was written (for tests and the log). */
  writes = 0;

  constructor(
    private readonly state: EmulatorState,
    readonly dir: string,
    private readonly options: { debounceMs?: number; onError?: (error: unknown) => void } = {},
  ) {
    this.file = path.join(dir, STATE_FILE);
  }

  /**
   * Reads the saved state, if any, into the emulator. A file that cannot be read as a saved state is moved aside
   * (never deleted: it may hold something worth a look) and the emulator starts from the seed.
   */
  load(): LoadOutcome {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "fresh" };
      throw error;
    }
    let reason: string;
    try {
      const parsed = savedStateSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        restoreState(this.state, parsed.data);
        return { kind: "restored", savedAt: parsed.data.saved_at, grants: this.state.refreshTokens.size };
      }
      reason = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "file"}: ${issue.message}`)
        .slice(0, 3)
        .join("; ");
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    const movedTo = `${this.file}.unreadable-${Date.now()}`;
    renameSync(this.file, movedTo);
    return { kind: "unreadable", movedTo, reason };
  }

  /** Something may have changed: save soon, once for a burst of requests. */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.options.debounceMs ?? 200);
    this.timer.unref();
  }

  /** Writes now if anything changed since the last write. Synchronous, so it also works from an exit handler. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.dirty) return;
    this.dirty = false;
    try {
      writeFileAtomic(this.file, `${JSON.stringify(snapshotState(this.state))}\n`);
      this.writes++;
    } catch (error) {
      this.dirty = true;
      (this.options.onError ?? ((e) => console.error("emulator: could not save its state:", e)))(error);
    }
  }

  /** The last write; later changes are not saved. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
