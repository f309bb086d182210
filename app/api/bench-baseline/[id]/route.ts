import { connectionExpiry } from "@/lib/dal/connections";

export const dynamic = "force-dynamic";

/**
 * `npm run bench:token-api`'s second baseline: the most trivial route handler of this build doing the token API's
 * single read, so the benchmark separates the token API's own cost from Next.js's. Answers 404 unless the benchmark
 * started the portal with BENCH_BASELINE_ROUTE=1; it never reads a token.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (process.env.BENCH_BASELINE_ROUTE !== "1") return new Response(null, { status: 404 });
  const { id } = await params;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))
    return new Response(null, { status: 404 });
  const row = await connectionExpiry(id);
  return Response.json(
    { connection_id: row?.id, expires_at: row?.expiresAt?.toISOString() },
    { headers: { "Cache-Control": "no-store" } },
  );
}
