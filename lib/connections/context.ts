/**
 * What every connection operation (lib/connections, lib/lifecycle) is given, and the one place that builds it: the
 * web server for a signed-in user or an authorization link, the background refresher, and the token API.
 */
import type { ApicbaseClient } from "@/lib/apicbase/client";
import type { ApicbaseSettings } from "@/lib/apicbase/config";
import type { AuditActor } from "@/lib/audit";
import type { Keyring } from "@/lib/crypto/secrets";
import type { Db } from "@/lib/db/client";
import { clientForApplication } from "./applications";
import type { FailureCode } from "./codes";

/**
 * What reaches Apicbase with a stored connection's tokens: the database, their key, a client per application, a clock.
 */
export type ApicbaseAccess = {
  db: Db;
  keyring: Keyring;
  clientFor(applicationId: string): Promise<ApicbaseClient>;
  now(): Date;
};

/** Everything a connection operation needs, injected so tests and the worker can supply their own. */
export type ConnectionContext = ApicbaseAccess & {
  actor: AuditActor;
  /** Identifies this process in refresh leases. */
  leaseOwner: string;
};

/**
 * Why a connection operation did nothing: the kind (`reason`), and a code with its facts that
 * lib/messages/connections.ts (`describeConnection`) puts in words.
 */
export type Failure = FailureCode & {
  ok: false;
  reason: "not_found" | "busy" | "not_refreshable" | "apicbase";
  apicbaseError?: string;
};

export type ClientSource = (applicationId: string) => Promise<ApicbaseClient>;

/** Clients are reused for a minute: fewer database reads, and a 429's Retry-After is remembered per application. */
const CLIENT_TTL_MS = 60_000;

/**
 * The Apicbase client of each registered application, read from the database. `cached`: each is reused for a
 * minute, for long-running callers (the refresher, the token API); a web request reads it afresh.
 */
export function applicationClients(
  db: Db,
  keyring: Keyring,
  settings: ApicbaseSettings,
  options: { cached?: boolean; clock?: () => Date } = {},
): ClientSource {
  if (!options.cached) return (applicationId) => clientForApplication(db, keyring, settings, applicationId);
  const cache = new Map<string, { client: Promise<ApicbaseClient>; until: number }>();
  return (applicationId) => {
    const hit = cache.get(applicationId);
    if (hit && hit.until > Date.now()) return hit.client;
    const client = clientForApplication(db, keyring, settings, applicationId, options.clock);
    cache.set(applicationId, { client, until: Date.now() + CLIENT_TTL_MS });
    client.catch(() => cache.delete(applicationId));
    return client;
  };
}

/** A connection context; the clock is the wall clock unless one is given. */
export function createConnectionContext(args: {
  db: Db;
  keyring: Keyring;
  clientFor: ClientSource;
  actor: AuditActor;
  leaseOwner: string;
  now?: () => Date;
}): ConnectionContext {
  return {
    db: args.db,
    keyring: args.keyring,
    clientFor: args.clientFor,
    now: args.now ?? (() => new Date()),
    actor: args.actor,
    leaseOwner: args.leaseOwner,
  };
}
