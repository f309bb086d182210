/** Class sets shared by many elements, so a long Tailwind string is written once. */

/** Joins class names, leaving out empty and false parts. */
export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(" ");
}

/** The keyboard focus outline used on links, buttons and controls. */
export const FOCUS_RING = "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** The focus outline of text inputs and selects (shown on any focus, closer to the box). */
export const INPUT_FOCUS = "focus:outline-2 focus:outline-offset-1 focus:outline-sky-600";

/** A dark, scrollable block of code or output that can take keyboard focus to scroll. */
export const CODE_BLOCK = cx(
  "overflow-x-auto rounded-lg bg-slate-900 p-4 font-mono text-xs leading-5 text-slate-100",
  FOCUS_RING,
);

/** A pill listing a scope or permission in monospace. */
export const SCOPE_CHIP =
  "rounded-md bg-indigo-50 px-2 py-0.5 font-mono text-xs font-medium text-indigo-900 ring-1 ring-indigo-200 ring-inset";

/** The bordered key/value list of the result and error pages. */
export const DETAILS_LIST = cx(
  "grid grid-cols-[auto_1fr] gap-x-4 gap-y-1",
  "rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm",
);

/** A one-line field showing a secret once, beside its copy button. */
export const SECRET_FIELD =
  "min-w-0 flex-1 rounded-md border border-amber-300 bg-white px-3 py-2 font-mono text-sm text-slate-900";

/** An underlined link inside a sentence or a table. */
export const INLINE_LINK = cx(
  "rounded font-semibold text-sky-800 underline-offset-2 hover:text-sky-950 hover:underline",
  FOCUS_RING,
);
