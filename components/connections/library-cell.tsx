import Link from "next/link";
import { INLINE_LINK } from "@/components/ui/classes";

/**
 * The header cell of a table row about one connection: its library's name, linking to the connection, and the
 * library's id; `children` go under them.
 */
export function LibraryCell({
  connectionId,
  libraryName,
  libraryId,
  children,
}: {
  connectionId: string;
  libraryName: string;
  libraryId: number;
  children?: React.ReactNode;
}) {
  return (
    <th scope="row" className="px-3 py-3 text-left font-normal">
      <Link href={`/connections/${connectionId}`} className={INLINE_LINK}>
        {libraryName}
      </Link>
      <span className="block text-slate-600">Library {libraryId}</span>
      {children}
    </th>
  );
}
