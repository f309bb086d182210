import { csvLine } from "@/lib/audit-log/csv";
import { bulkJobOwnerLinks } from "@/lib/dal/bulk-jobs";
import { getCurrentUser } from "@/lib/dal/session";
import { csvResponse, plainResponse } from "@/lib/downloads";

export const dynamic = "force-dynamic";

/**
 * GET /connections/jobs/<id>/links: the working re-authorization links of a bulk job as CSV, the list to hand to the
 * library owners. Only for the person who started the job (the links are secrets); anyone else gets "not found".
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return plainResponse(401, "Sign in to download these links.");
  const links = await bulkJobOwnerLinks(user, (await params).id);
  if (!links) return plainResponse(404, "Not found.");
  const body =
    "\uFEFF" +
    csvLine(["organization", "library_id", "library_name", "approved_by", "link", "expires_at_utc"]) +
    links
      .map((row) =>
        csvLine([row.organization, row.libraryId, row.libraryName, row.approvedBy, row.link, row.expiresAt]),
      )
      .join("");
  return csvResponse(body, "reauthorization-links.csv");
}
