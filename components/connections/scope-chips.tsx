import { SCOPE_CHIP } from "@/components/ui/classes";

/** Granted scopes as chips; a list, so a screen reader says how many there are. */
export function ScopeChips({ scopes, label = "Scopes" }: { scopes: string[]; label?: string }) {
  if (scopes.length === 0) return <span className="text-sm text-slate-600">None</span>;
  return (
    <ul aria-label={label} className="flex flex-wrap gap-1">
      {scopes.map((scope) => (
        <li key={scope} className={SCOPE_CHIP}>
          {scope}
        </li>
      ))}
    </ul>
  );
}
