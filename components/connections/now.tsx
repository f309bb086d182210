"use client";

import { createContext, useContext, useMemo, useSyncExternalStore } from "react";

/**
 * One clock for every countdown and relative time of a page, ticking once a second. The server renders with the
 * moment it answered and hydration uses that same moment, so the first browser render matches the HTML; the
 * browser's own clock takes over right after.
 */
const ServerNow = createContext<number | null>(null);

const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => listeners.forEach((notify) => notify()), 1000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

// Whole seconds, so consecutive reads within a second are equal and React does not re-render for nothing.
const currentSecond = () => Math.floor(Date.now() / 1000) * 1000;

export function NowProvider({ renderedAt, children }: { renderedAt: string; children: React.ReactNode }) {
  return <ServerNow.Provider value={Date.parse(renderedAt)}>{children}</ServerNow.Provider>;
}

export function useNow(): Date {
  const serverNow = useContext(ServerNow);
  const ms = useSyncExternalStore(subscribe, currentSecond, () => serverNow ?? currentSecond());
  return useMemo(() => new Date(ms), [ms]);
}

const noSubscription = () => () => {};
const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/**
 * The viewer's time zone for absolute times. The server renders UTC (it cannot know the zone) and hydration keeps
 * that; the browser's own zone takes over right after, so every absolute time a person reads is in their zone.
 */
export function useTimeZone(): string {
  return useSyncExternalStore(noSubscription, browserZone, () => "UTC");
}
