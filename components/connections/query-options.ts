import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { CONNECTIONS_REFETCH_MS } from "@/lib/query-client";
import { queryKeys } from "@/lib/query-keys";
import type { ConnectionDetailResponse } from "@/lib/connections/view";

/**
 * The browser's side of the connection queries: the same keys the server prefetches under, fetched from the
 * portal's JSON routes (which check the session and organization again on every call).
 */

export class PortalRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal, headers: { accept: "application/json" }, cache: "no-store" });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: string } | null;
    throw new PortalRequestError(response.status, body?.error ?? `The portal answered ${response.status}.`);
  }
  return (await response.json()) as T;
}

export function connectionDetailQuery(connectionId: string, historyPage: number, showHandouts = false) {
  const handouts = showHandouts ? "&handouts=1" : "";
  return queryOptions({
    queryKey: queryKeys.connections.detail(connectionId, historyPage, showHandouts),
    queryFn: ({ signal }) =>
      getJson<ConnectionDetailResponse>(
        `/api/portal/connections/${encodeURIComponent(connectionId)}?history=${historyPage}${handouts}`,
        signal,
      ),
    refetchInterval: CONNECTIONS_REFETCH_MS,
    placeholderData: keepPreviousData,
  });
}
