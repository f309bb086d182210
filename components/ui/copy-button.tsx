"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "./button";

/**
 * Copies a text to the clipboard and says so, visibly and to screen readers (politely). Where the clipboard is not
 * available (an insecure origin, a refused permission) it says so, and the text stays on the page to select.
 */
export function CopyButton({
  text,
  label,
  what,
  className = "",
}: {
  text: string;
  /** The button's visible text, e.g. "Copy" or "Copy as curl". */
  label: string;
  /** What is copied, for screen readers and the confirmation: "connection id". */
  what: string;
  className?: string;
}) {
  const [state, setState] = useState<"copied" | "failed" | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        className={`shrink-0 ${className}`}
        aria-label={label === "Copy" ? `Copy ${what}` : undefined}
        data-copy={what}
        onClick={async () => {
          clearTimeout(timer.current);
          try {
            await navigator.clipboard.writeText(text);
            setState("copied");
          } catch {
            setState("failed");
          }
          timer.current = setTimeout(() => setState(null), 4000);
        }}
      >
        {state === "copied" ? "Copied" : label}
      </Button>
      <span aria-live="polite" className="sr-only">
        {state === "copied" ? `Copied the ${what}` : state === "failed" ? `Could not copy: select the ${what}` : ""}
      </span>
    </>
  );
}
