/** Log lines of the portal's server processes. */

/**
 * An error for a log line: database errors carry their query's parameters (ciphertexts), so only the driver's own
 * message goes out. Apicbase errors never contain a token.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  if (error.message.startsWith("Failed query")) return cause ? `database: ${cause.message}` : "database query failed";
  return cause ? `${error.message}: ${describeError(cause)}` : error.message;
}
