/**
 * For tests of the lifecycle engine and the token API: an emulator, a database (in-memory PGlite, or a fresh
 * PostgreSQL database), the environment's application, an organization, connections holding real emulator tokens,
 * and one clock that moves the portal and the emulator together.
 */
import { randomUUID } from "node:crypto";
import { eq, isNotNull } from "drizzle-orm";
import { startEmulator, type EmulatorControl } from "@/emulator/testing";
import { createApiKey } from "@/lib/api-keys/store";
import { ApicbaseClient, type TokenSet } from "@/lib/apicbase/client";
import { emulatorSettings, type ApicbaseSettings } from "@/lib/apicbase/config";
import { clientForApplication, ensureEnvironmentApplication } from "@/lib/connections/applications";
import type { ConnectionContext } from "@/lib/connections/context";
import type { ProxySettings, TokenApiContext } from "@/lib/token-api/types";
import { HandoutLog } from "@/lib/token-api/handouts";
import { KeyRateLimiter } from "@/lib/token-api/rate-limit";
import { sealTokens } from "@/lib/connections/tokens";
import { generateKey, parseKeyring } from "@/lib/crypto/secrets";
import { MEMORY, openDatabase, type Database } from "@/lib/db/client";
import {
  applications,
  connections,
  organizations,
  refreshControl,
  type ApiKeyScope,
  type Connection,
  type NewConnection,
} from "@/lib/db/schema";
import { planNextRefresh } from "@/lib/lifecycle/schedule";
import { mintTokenSet } from "@/testing/tokens";

/** The portal's clock in tests: real time plus an offset, moved together with the emulator's. */
export class TestClock {
  private offsetMs = 0;
  private emulatorOffsetMs = 0;
  constructor(private readonly control: EmulatorControl) {}

  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  /** Moves the portal's clock; the emulator's follows at the next sync(). */
  advanceLocal(ms: number): void {
    this.offsetMs += ms;
  }

  async sync(): Promise<void> {
    const behind = this.offsetMs - this.emulatorOffsetMs;
    if (behind <= 0) return;
    await this.control.advanceClock(behind / 1000);
    this.emulatorOffsetMs = this.offsetMs;
  }

  async advance(ms: number): Promise<void> {
    this.advanceLocal(ms);
    await this.sync();
  }

  /** After the emulator was reset (its clock too). */
  resetTo(): void {
    this.offsetMs = 0;
    this.emulatorOffsetMs = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL, where one is reachable: testing/postgres.ts (re-exported for the lifecycle suites).

export { createPostgresDatabase, findPostgres } from "@/testing/postgres";

// ---------------------------------------------------------------------------------------------------------------

export type LifecycleFixture = Awaited<ReturnType<typeof lifecycleFixture>>;

export async function lifecycleFixture(opts: { databaseUrl?: string } = {}) {
  const emulator = await startEmulator();
  const control = emulator.control;
  const database: Database = await openDatabase(opts.databaseUrl ? { url: opts.databaseUrl } : { dataDir: MEMORY });
  // The key itself too: processes a test starts (npm run worker, npm run token-api) must read the same tokens.
  const encryptionKey = generateKey();
  const keyring = parseKeyring(encryptionKey);
  const clock = new TestClock(control);
  const settings: ApicbaseSettings = emulatorSettings(emulator.url, 2000);
  const applicationId = (await ensureEnvironmentApplication(database.db, settings)).id;
  let organizationId = "";
  let nextLibraryId = 10_000;

  const fixture = {
    emulator,
    control,
    database,
    db: database.db,
    encryptionKey,
    keyring,
    clock,
    /** Mutable: tests change the timeout or the secret. */
    settings,
    applicationId,
    get organizationId() {
      return organizationId;
    },

    /** Back to a clean emulator (clock included) and a new organization. */
    async reset() {
      await control.reset();
      clock.resetTo();
      // Connections, the shared refresh state (budget, pause, breaker) and application pauses of the previous test
      // go: its tokens died with the emulator's reset, and refreshers look at every organization.
      await database.db.delete(connections);
      await database.db.delete(refreshControl);
      await database.db
        .update(applications)
        .set({ refreshPausedUntil: null, refreshPausedReason: null })
        .where(isNotNull(applications.refreshPausedUntil));
      const [org] = await database.db
        .insert(organizations)
        .values({ name: `Org ${randomUUID()}` })
        .returning();
      organizationId = org!.id;
      return organizationId;
    },

    /** A context as one process would have it: its own lease owner, the shared clock. */
    context(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
      return {
        db: database.db,
        keyring,
        clientFor: (id) => clientForApplication(database.db, keyring, fixture.settings, id, clock.now),
        now: clock.now,
        actor: { system: "test" },
        leaseOwner: "test-process",
        ...overrides,
      };
    },

    /**
     * The token API's context as one process has it: `perMinute` API calls per key (on the shared clock with
     * `clocked`), a proxy with small caps unless `proxy` says otherwise.
     */
    tokenApiContext(options: {
      leaseOwner: string;
      perMinute: number;
      clocked?: boolean;
      proxy?: Partial<ProxySettings>;
    }): TokenApiContext {
      return {
        db: database.db,
        keyring,
        clientFor: (id) => clientForApplication(database.db, keyring, fixture.settings, id, clock.now),
        now: clock.now,
        leaseOwner: options.leaseOwner,
        limiter: options.clocked
          ? new KeyRateLimiter(options.perMinute, () => clock.now().getTime())
          : new KeyRateLimiter(options.perMinute),
        handouts: new HandoutLog(database.db),
        proxy: {
          apiUrl: fixture.settings.endpoints.api,
          ratePerMinute: 60,
          timeoutMs: 2000,
          maxRequestBytes: 1024,
          maxResponseBytes: 4096,
          ...options.proxy,
        },
      };
    },

    /** A new API key of the organization (or of `organizationId`). */
    async apiKey(options: { name?: string; scopes?: ApiKeyScope[]; organizationId?: string } = {}): Promise<string> {
      const { name = "Job", scopes, organizationId: owner = organizationId } = options;
      return (await createApiKey(database.db, { organizationId: owner, name, actor: { system: "test" }, scopes })).key;
    },

    client() {
      return new ApicbaseClient({
        endpoints: settings.endpoints,
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        now: () => clock.now().getTime(),
      });
    },

    mint(email = "nora@sandbox.test"): Promise<TokenSet> {
      return mintTokenSet(control, email, clock.now().getTime());
    },

    /**
     * `count` connections of the organization holding freshly minted emulator tokens (one library each), planned
     * like a connect would plan them unless `values` says otherwise.
     */
    async insertConnections(count: number, values: Partial<NewConnection> = {}): Promise<string[]> {
      const rows: NewConnection[] = [];
      const minting = 25;
      for (let start = 0; start < count; start += minting) {
        const pairs = await Promise.all(Array.from({ length: Math.min(minting, count - start) }, () => fixture.mint()));
        for (const tokens of pairs) {
          const id = randomUUID();
          const now = clock.now();
          rows.push({
            id,
            organizationId,
            applicationId,
            libraryId: nextLibraryId++,
            libraryName: `Library ${nextLibraryId}`,
            status: "active",
            scopes: tokens.scopes,
            ...sealTokens(keyring, id, tokens),
            tokenVersion: 1,
            accessTokenExpiresAt: tokens.expiresAt,
            nextRefreshAt: planNextRefresh(tokens.expiresAt, now),
            ...values,
          });
        }
      }
      for (let start = 0; start < rows.length; start += 500) {
        await database.db.insert(connections).values(rows.slice(start, start + 500));
      }
      return rows.map((row) => row.id!);
    },

    async connection(): Promise<string> {
      const [id] = await fixture.insertConnections(1);
      return id!;
    },

    async row(id: string): Promise<Connection> {
      const [row] = await database.db.select().from(connections).where(eq(connections.id, id));
      return row!;
    },

    /** Makes connections due now (as if their planned refresh had come). */
    async makeDue(ids: string[]) {
      for (const id of ids)
        await database.db.update(connections).set({ nextRefreshAt: clock.now() }).where(eq(connections.id, id));
    },

    async close() {
      await database.close();
      await emulator.close();
    },
  };
  return fixture;
}
