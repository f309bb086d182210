import type { ReactNode } from "react";

/** The frame of a table standing alone on a page: a white card. */
export const TABLE_CARD = "overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm";

/** The header of a column of buttons: read out as "Actions", not shown. */
export const ACTIONS_COLUMN = (
  <span key="actions" className="sr-only">
    Actions
  </span>
);

const HEAD = "bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase";

/**
 * A table that scrolls sideways in its frame: the caption for screen readers, one header row from `columns` (false
 * or null leaves a column out) and the body as children. With a `label` the frame is a focusable region, so
 * keyboard users can scroll it.
 */
export function DataTable({
  label,
  frame = "overflow-x-auto",
  caption,
  columns,
  cell,
  head = HEAD,
  children,
}: {
  label?: string;
  frame?: string;
  caption?: ReactNode;
  columns: (ReactNode | false)[];
  /** The classes of each header cell. */
  cell: string;
  head?: string;
  children: ReactNode;
}) {
  const region = label ? { tabIndex: 0, role: "region", "aria-label": label } : {};
  return (
    <div className={frame} {...region}>
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        {caption && <caption className="sr-only">{caption}</caption>}
        <thead className={head}>
          <HeaderRow columns={columns} cell={cell} />
        </thead>
        {children}
      </table>
    </div>
  );
}

/** A row of column headers (false or null leaves a column out); `lastCell` styles the last one, if it differs. */
export function HeaderRow({
  columns,
  cell,
  lastCell = cell,
}: {
  columns: (ReactNode | false)[];
  cell: string;
  lastCell?: string;
}) {
  const shown = columns.filter((column) => column !== false && column != null);
  return (
    <tr>
      {shown.map((column, index) => (
        <th key={index} scope="col" className={index === shown.length - 1 ? lastCell : cell}>
          {column}
        </th>
      ))}
    </tr>
  );
}
