import type { ConnectionStatus } from "@/lib/db/schema";

/** A connection's state as partners read it: the stored status refined by the access token's expiry. */
export type DisplayStatus =
  | "active"
  | "expiring_soon"
  | "expired_refreshable"
  | "refresh_failing"
  | "needs_reauthorization"
  | "revoking"
  | "revoked";

export const DISPLAY_STATUSES: readonly DisplayStatus[] = [
  "active",
  "expiring_soon",
  "expired_refreshable",
  "refresh_failing",
  "needs_reauthorization",
  "revoking",
  "revoked",
];

/** Access tokens live 7 days; within the last day one counts as expiring soon. */
export const EXPIRING_SOON_MS = 24 * 3600 * 1000;

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  active: "Active",
  expiring_soon: "Expiring soon",
  expired_refreshable: "Expired, refreshable",
  refresh_failing: "Refresh failing",
  needs_reauthorization: "Needs re-authorization",
  revoking: "Revoking",
  revoked: "Revoked",
};

export function displayStatus(row: { status: ConnectionStatus; accessTokenExpiresAt: Date | null }, now: Date): DisplayStatus {
  if (row.status !== "active") return row.status;
  if (!row.accessTokenExpiresAt || row.accessTokenExpiresAt.getTime() <= now.getTime()) return "expired_refreshable";
  if (row.accessTokenExpiresAt.getTime() - now.getTime() <= EXPIRING_SOON_MS) return "expiring_soon";
  return "active";
}

export function isDisplayStatus(value: string | undefined): value is DisplayStatus {
  return value !== undefined && (DISPLAY_STATUSES as readonly string[]).includes(value);
}
