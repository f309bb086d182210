"use client";

import { createContext, useContext, useMemo, useState } from "react";

type Selection = {
  selected: ReadonlySet<string>;
  toggle(id: string, on: boolean): void;
  setMany(ids: readonly string[], on: boolean): void;
  clear(): void;
};

const SelectionContext = createContext<Selection | null>(null);

/**
 * The connections picked for a bulk action, across the list's pages. Without it the list shows no selection column.
 * Keyed by the list's filters where it is rendered (BulkArea): a new search starts with nothing selected.
 */
export function BulkSelectionScope({ children }: { children: React.ReactNode }) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const value = useMemo<Selection>(
    () => ({
      selected,
      toggle: (id, on) =>
        setSelected((current) => {
          const next = new Set(current);
          if (on) next.add(id);
          else next.delete(id);
          return next;
        }),
      setMany: (ids, on) =>
        setSelected((current) => {
          const next = new Set(current);
          for (const id of ids) {
            if (on) next.add(id);
            else next.delete(id);
          }
          return next;
        }),
      clear: () => setSelected(new Set()),
    }),
    [selected],
  );
  return <SelectionContext.Provider value={value}>{children}</SelectionContext.Provider>;
}

export function useBulkSelection(): Selection | null {
  return useContext(SelectionContext);
}

const box =
  "size-4 rounded border-slate-400 accent-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

/** The list's first column: pick this connection for a bulk action. */
export function SelectCell({ id, label }: { id: string; label: string }) {
  const selection = useBulkSelection();
  if (!selection) return null;
  return (
    <td className="w-8 py-3 pr-0 pl-3">
      <input
        type="checkbox"
        className={box}
        aria-label={`Select ${label}`}
        checked={selection.selected.has(id)}
        onChange={(event) => selection.toggle(id, event.target.checked)}
      />
    </td>
  );
}

/** The selection column's header: picks (or unpicks) every connection on this page. */
export function SelectHeaderCell({ ids, className }: { ids: readonly string[]; className: string }) {
  const selection = useBulkSelection();
  if (!selection) return null;
  const all = ids.length > 0 && ids.every((id) => selection.selected.has(id));
  const some = !all && ids.some((id) => selection.selected.has(id));
  return (
    <th scope="col" className={`w-8 pr-0 pl-3 ${className}`}>
      <input
        type="checkbox"
        className={box}
        aria-label="Select every connection on this page"
        checked={all}
        ref={(input) => {
          if (input) input.indeterminate = some;
        }}
        onChange={(event) => selection.setMany(ids, event.target.checked)}
      />
    </th>
  );
}
