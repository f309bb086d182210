import { NextResponse } from "next/server";
import { SIGNED_OUT } from "@/lib/messages/errors";

const NO_STORE = { "Cache-Control": "private, no-store" };

/** A JSON answer of the portal's polling routes: one person's view, which no cache may keep. */
export function privateJson(body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, { status, headers: NO_STORE });
}

/** The polling routes' answer when nobody is signed in (any more). */
export function sessionEnded(): NextResponse {
  return privateJson({ error: SIGNED_OUT }, 401);
}
