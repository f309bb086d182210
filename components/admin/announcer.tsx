"use client";

import { createContext, useContext, useState } from "react";
import { cx } from "@/components/ui/classes";

const AnnounceContext = createContext<(message: string) => void>(() => {});

/**
 * One polite live region for the admin pages. A button's success often removes the button itself (a member removed,
 * an application deleted), so the outcome is said here, where it outlives the row it was about.
 */
export function Announcer({ children }: { children: React.ReactNode }) {
  const [message, setMessage] = useState<string | null>(null);
  return (
    <AnnounceContext value={setMessage}>
      {children}
      <div className="pointer-events-none fixed inset-x-0 bottom-4 z-20 flex justify-center px-4">
        <div
          className={
            message
              ? "pointer-events-auto flex max-w-2xl items-start gap-4 rounded-lg bg-slate-900 px-4 py-3 text-sm " +
                "text-white shadow-lg"
              : "sr-only"
          }
        >
          {/* Always in the page, so screen readers hear what is put into it. */}
          <p role="status" aria-live="polite">
            {message}
          </p>
          {message && (
            <button
              type="button"
              onClick={() => setMessage(null)}
              className={cx(
                "shrink-0 rounded font-medium text-slate-200 underline underline-offset-2 hover:text-white",
                "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-400",
              )}
            >
              Dismiss
            </button>
          )}
        </div>
      </div>
    </AnnounceContext>
  );
}

/** Says a message in the page's live region. */
export function useAnnounce(): (message: string) => void {
  return useContext(AnnounceContext);
}
