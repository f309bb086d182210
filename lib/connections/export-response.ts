import { connectionsCsvFilename } from "./export";

/** A plain-text answer for a refused or failed export (never cached). */
export function plainResponse(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The CSV download's headers around a stream of it. */
export function csvResponse(body: ReadableStream<Uint8Array>, now: Date): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${connectionsCsvFilename(now)}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
