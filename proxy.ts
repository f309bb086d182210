import { NextResponse, type NextRequest } from "next/server";

// Auth.js's session cookie, over http and https. Its presence is only a hint: pages check the session itself.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

/** Cheap redirect of visitors without any session cookie to the sign-in page; no database here. */
export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const signIn = new URL("/signin", request.url);
  signIn.searchParams.set("callbackUrl", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/connections/:path*", "/links/:path*", "/api-keys/:path*", "/admin/:path*", "/no-organization"],
};
