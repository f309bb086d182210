"use client";

import { createContext, useContext, useMemo, useState } from "react";
import { cx, FOCUS_RING } from "@/components/ui/classes";

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

const box = cx("size-4 rounded border-slate-400 accent-sky-700", FOCUS_RING);

/** Pick this connection for a bulk action (the table's first column, a card's corner on phones). */
export function SelectBox({ id, label }: { id: string; label: string }) {
  const selection = useBulkSelection();
  if (!selection) return null;
  return (
    <input
      type="checkbox"
      className={box}
      aria-label={`Select ${label}`}
      checked={selection.selected.has(id)}
      onChange={(event) => selection.toggle(id, event.target.checked)}
    />
  );
}

/** The list's first column: pick this connection for a bulk action. */
export function SelectCell({ id, label }: { id: string; label: string }) {
  const selection = useBulkSelection();
  if (!selection) return null;
  return (
    <td className="w-8 py-3 pr-0 pl-3">
      <SelectBox id={id} label={label} />
    </td>
  );
}

/** Above the cards on phones, what the table's header checkbox is on wide screens. */
export function SelectPageBox({ ids }: { ids: readonly string[] }) {
  const selection = useBulkSelection();
  if (!selection) return null;
  const all = ids.length > 0 && ids.every((id) => selection.selected.has(id));
  const some = !all && ids.some((id) => selection.selected.has(id));
  return (
    <label className="flex items-center gap-3 px-4 py-1 text-sm font-medium text-slate-800">
      <input
        type="checkbox"
        className={box}
        checked={all}
        ref={(input) => {
          if (input) input.indeterminate = some;
        }}
        onChange={(event) => selection.setMany(ids, event.target.checked)}
      />
      Select every connection on this page
    </label>
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
