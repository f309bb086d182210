/**
 * Every React Query key of the portal, in one place: the server's prefetch and the browser's queries must build the
 * same key for the hydrated data to be found, and an action invalidates by prefix (`connections.all`).
 */
export const queryKeys = {
  connections: {
    all: ["connections"] as const,
    lists: () => [...queryKeys.connections.all, "list"] as const,
    details: () => [...queryKeys.connections.all, "detail"] as const,
    detail: (connectionId: string, historyPage: number, showHandouts = false) =>
      [...queryKeys.connections.details(), connectionId, { historyPage, showHandouts }] as const,
  },
};
