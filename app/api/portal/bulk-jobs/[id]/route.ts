import { bulkJobProgress } from "@/lib/dal/bulk-jobs";
import { getCurrentUser } from "@/lib/dal/session";
import { privateJson, sessionEnded } from "../../private-json";

export const dynamic = "force-dynamic";

/** A bulk job's progress as JSON, for polling (never its links). Checks the session and the organization each time. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return sessionEnded();
  const job = await bulkJobProgress(user, (await params).id);
  if (!job) return privateJson({ error: "This job does not exist or belongs to another organization." }, 404);
  return privateJson(job);
}
