import { NextResponse } from "next/server";
import { bulkJobProgress } from "@/lib/dal/bulk-jobs";
import { getCurrentUser } from "@/lib/dal/session";

export const dynamic = "force-dynamic";

const NO_STORE = { "Cache-Control": "private, no-store" };

/** A bulk job's progress as JSON, for polling (never its links). Checks the session and the organization each time. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user)
    return NextResponse.json({ error: "Your session has ended. Sign in again." }, { status: 401, headers: NO_STORE });
  const job = await bulkJobProgress(user, (await params).id);
  if (!job)
    return NextResponse.json(
      { error: "This job does not exist or belongs to another organization." },
      { status: 404, headers: NO_STORE },
    );
  return NextResponse.json(job, { headers: NO_STORE });
}
