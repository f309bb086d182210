import type { ActionResult } from "@/lib/forms";

/** The outcome of a form's last submission: a polite status on success, an alert on failure. */
export function FormMessage({ state, id }: { state: ActionResult | null; id?: string }) {
  if (!state) return null;
  return state.ok ? (
    <p id={id} role="status" className="text-sm font-medium text-emerald-800">
      {state.message}
    </p>
  ) : (
    <p id={id} role="alert" className="text-sm font-medium text-red-700">
      {state.message}
    </p>
  );
}
