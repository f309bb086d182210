/**
 * The Content Security Policy of every page, with a fresh nonce per request (set by proxy.ts; Next.js reads the nonce
 * from the request's policy header and puts it on its own scripts). 'strict-dynamic' lets those scripts load the
 * page's chunks; an inline script without the nonce, injected or not, does not run. Styles keep 'unsafe-inline':
 * React's style attributes cannot carry a nonce, and a style cannot run code.
 */
export function contentSecurityPolicy(nonce: string, options: { development?: boolean } = {}): string {
  return [
    "default-src 'self'",
    // The development server also needs eval (React rebuilds server error stacks with it); production does not.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** 128 random bits, base64: unguessable, and fresh for every request. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
