"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState, useTransition } from "react";

/**
 * Renders the page again on the server every `intervalMs` while it is visible (and at once when it becomes visible
 * again), keeping what the person typed or chose: a server-rendered list stays current without a data layer in the
 * browser.
 */
export function AutoRefresh({ intervalMs }: { intervalMs: number }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState !== "visible") return;
      startTransition(() => router.refresh());
    };
    const timer = setInterval(refresh, intervalMs);
    const online = () => setFailed(!navigator.onLine);
    document.addEventListener("visibilitychange", refresh);
    window.addEventListener("online", online);
    window.addEventListener("offline", online);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", refresh);
      window.removeEventListener("online", online);
      window.removeEventListener("offline", online);
    };
  }, [router, intervalMs]);
  return failed ? (
    <p role="alert" className="font-medium text-red-700">
      Live updates paused: this browser is offline.
    </p>
  ) : (
    <p className="text-slate-500">
      {pending ? "Updating…" : `Updates every ${Math.round(intervalMs / 1000)} seconds.`}
    </p>
  );
}
