import { QueryClient, defaultShouldDehydrateQuery, isServer } from "@tanstack/react-query";

/** How often the connection views poll the server for changes (the background refresher, other members' actions). */
export const CONNECTIONS_REFETCH_MS = 15_000;

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Above 0, so data prefetched on the server is not fetched again as soon as the page hydrates.
        staleTime: 10_000,
        retry: 1,
      },
      dehydrate: {
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === "pending",
      },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

/**
 * On the server a new client per call (each request prefetches into its own, never sharing one user's data with
 * another); in the browser one for the whole session.
 */
export function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}
