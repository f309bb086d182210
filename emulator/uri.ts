/**
 * URI helpers that reproduce Python's urllib.parse and oauthlib's rules, because DOT's redirect-URI checks and the
 * redirects it builds are defined in those terms (scheme lower-cased, netloc compared as a string, quote_plus).
 */

export type Pair = readonly [string, string];

// RFC 3986 absolute-URI, as oauthlib.uri_validate.is_absolute_uri checks it.
const unreserved = "[A-Za-z0-9\\-._~]";
const pctEncoded = "%[0-9A-Fa-f]{2}";
const subDelims = "[!$&'()*+,;=]";
const pchar = `(?:${unreserved}|${pctEncoded}|${subDelims}|[:@])`;
const decOctet = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const host = `(?:\\[[0-9A-Fa-f:.vV]+\\]|${decOctet}(?:\\.${decOctet}){3}|(?:${unreserved}|${pctEncoded}|${subDelims})*)`;
const authority = `(?:(?:${unreserved}|${pctEncoded}|${subDelims}|:)*@)?${host}(?::[0-9]*)?`;
const hierPart = `(?://${authority}(?:/${pchar}*)*|/(?:${pchar}+(?:/${pchar}*)*)?|${pchar}+(?:/${pchar}*)*|)`;
const absoluteUriPattern = new RegExp(`^[A-Za-z][A-Za-z0-9+\\-.]*:${hierPart}(?:\\?(?:${pchar}|[/?])*)?$`);

export function isAbsoluteUri(uri: string): boolean {
  return absoluteUriPattern.test(uri);
}

/** Python's unquote: %XX sequences become bytes, decoded as UTF-8; malformed escapes stay as they are. */
export function unquote(value: string): string {
  if (!value.includes("%")) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const codePoint = value.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(char, "utf8"));
      i += char.length - 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

export function unquotePlus(value: string): string {
  return unquote(value.replace(/\+/g, " "));
}

/** Python's quote(value, safe): everything but letters, digits, `_.-~` and `safe` is percent-encoded. */
export function quote(value: string, safe = "/"): string {
  return encodeURIComponent(value).replace(/[!'()*]|%[0-9A-F]{2}/g, (token) => {
    const char = token.length === 1 ? token : String.fromCharCode(parseInt(token.slice(1), 16));
    if (safe.includes(char)) return char;
    return token.length === 1 ? `%${char.charCodeAt(0).toString(16).toUpperCase()}` : token;
  });
}

export function quotePlus(value: string): string {
  return quote(value, "").replace(/%20/g, "+");
}

/** Python's urlencode of a list of pairs (quote_plus on both sides). */
export function urlencode(pairs: readonly Pair[]): string {
  return pairs.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join("&");
}

/** Python's parse_qsl (`&` separated, `+` is a space). */
export function parseQsl(query: string, keepBlankValues = false): Pair[] {
  const pairs: Pair[] = [];
  for (const part of query.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq < 0 && !keepBlankValues) continue;
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    if (value || keepBlankValues) pairs.push([unquotePlus(name), unquotePlus(value)]);
  }
  return pairs;
}

export interface ParsedUrl {
  scheme: string;
  netloc: string;
  path: string;
  params: string;
  query: string;
  fragment: string;
}

const schemeChars = /^[A-Za-z][A-Za-z0-9+\-.]*$/;
const usesParams = new Set([
  "",
  "ftp",
  "hdl",
  "prospero",
  "http",
  "imap",
  "https",
  "shttp",
  "rtsp",
  "rtspu",
  "sip",
  "sips",
  "mms",
  "sftp",
  "tel",
]);
const usesNetloc = new Set([
  "",
  "ftp",
  "http",
  "gopher",
  "nntp",
  "telnet",
  "imap",
  "wais",
  "file",
  "mms",
  "https",
  "shttp",
  "snews",
  "prospero",
  "rtsp",
  "rtspu",
  "rsync",
  "svn",
  "svn+ssh",
  "sftp",
  "nfs",
  "git",
  "git+ssh",
  "ws",
  "wss",
]);

/** Python's urllib.parse.urlparse. */
export function urlparse(url: string): ParsedUrl {
  let rest = url;
  let scheme = "";
  const colon = rest.indexOf(":");
  if (colon > 0 && schemeChars.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    let end = rest.length;
    for (const delimiter of ["/", "?", "#"]) {
      const at = rest.indexOf(delimiter, 2);
      if (at >= 0) end = Math.min(end, at);
    }
    netloc = rest.slice(2, end);
    rest = rest.slice(end);
  }
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = "";
  const question = rest.indexOf("?");
  if (question >= 0) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  let params = "";
  if (usesParams.has(scheme) && rest.includes(";")) {
    const semicolon = rest.indexOf(";", Math.max(rest.lastIndexOf("/"), 0));
    if (semicolon >= 0) {
      params = rest.slice(semicolon + 1);
      rest = rest.slice(0, semicolon);
    }
  }
  return { scheme, netloc, path: rest, params, query, fragment };
}

export function urlunparse(parts: ParsedUrl): string {
  let url = parts.params ? `${parts.path};${parts.params}` : parts.path;
  if (parts.netloc || (parts.scheme && usesNetloc.has(parts.scheme) && !url.startsWith("//"))) {
    if (url && !url.startsWith("/")) url = `/${url}`;
    url = `//${parts.netloc}${url}`;
  }
  if (parts.scheme) url = `${parts.scheme}:${url}`;
  if (parts.query) url = `${url}?${parts.query}`;
  if (parts.fragment) url = `${url}#${parts.fragment}`;
  return url;
}

/** oauthlib's add_params_to_uri: keeps the existing query (re-encoded) and appends the pairs. */
export function addParamsToUri(uri: string, pairs: readonly Pair[]): string {
  const parsed = urlparse(uri);
  return urlunparse({ ...parsed, query: urlencode([...parseQsl(parsed.query, true), ...pairs]) });
}

/** DOT's error redirect: the URI as it is, then `?` or `&`, then the urlencoded pairs. */
export function appendQuery(uri: string, pairs: readonly Pair[]): string {
  return `${uri}${uri.includes("?") ? "&" : "?"}${urlencode(pairs)}`;
}

/**
 * DOT's redirect_to_uri_allowed: scheme, netloc (as a string) and path equal, and every query pair of the
 * registered URI present in the given one.
 */
export function redirectUriAllowed(uri: string, allowed: readonly string[]): boolean {
  const given = urlparse(uri);
  const givenPairs = new Set(parseQsl(given.query).map(([k, v]) => `${k}\u0000${v}`));
  return allowed.some((candidate) => {
    const registered = urlparse(candidate);
    return (
      registered.scheme === given.scheme &&
      registered.netloc === given.netloc &&
      registered.path === given.path &&
      parseQsl(registered.query).every(([k, v]) => givenPairs.has(`${k}\u0000${v}`))
    );
  });
}
