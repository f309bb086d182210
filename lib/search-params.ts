/** A page's search parameters, as the App Router passes them. */
export type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** What a page under an `[id]` segment is given: the id, and its search parameters. */
export type IdPageProps = { params: Promise<{ id: string }>; searchParams: SearchParams };

/** The first value of a parameter; a repeated parameter is not a list anywhere in the portal. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
