import type { ConnectionFilters } from "@/lib/connections/view";

/**
 * Every React Query key of the portal, in one place: the server's prefetch and the browser's queries must build the
 * same key for the hydrated data to be found, and an action invalidates by prefix (`connections.all`).
 */
export const queryKeys = {
  connections: {
    all: ["connections"] as const,
    lists: () => [...queryKeys.connections.all, "list"] as const,
    /** A null organization: every organization's (admins). */
    list: (organizationId: string | null, filters: ConnectionFilters) =>
      [
        ...queryKeys.connections.lists(),
        organizationId ?? "all",
        {
          q: filters.q,
          status: filters.status,
          drift: Boolean(filters.drift),
          application: filters.application ?? null,
          organization: filters.organization ?? null,
          sort: filters.sort ?? "library",
          dir: filters.dir ?? null,
          cursor: filters.cursor ?? null,
        },
      ] as const,
    details: () => [...queryKeys.connections.all, "detail"] as const,
    detail: (connectionId: string, historyPage: number, showHandouts = false) =>
      [...queryKeys.connections.details(), connectionId, { historyPage, showHandouts }] as const,
  },
};
