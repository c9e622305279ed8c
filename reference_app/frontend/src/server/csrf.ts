/**
 * CSRF protection for the session handlers: they act on a cookie the browser sends by itself,
 * so they must know the request comes from our own pages. SameSite=Strict already keeps other
 * sites' requests from carrying the cookie; the Origin check below also refuses a same-site
 * attacker (another subdomain) and old browsers that ignore SameSite. Browsers always send
 * Origin on a cross-origin request and on every POST, so a POST without one is refused too.
 */

export function requestOrigin(headers: Headers, url: URL): string {
  const host = headers.get("x-forwarded-host") ?? headers.get("host") ?? url.host;
  const proto = headers.get("x-forwarded-proto") ?? url.protocol.replace(/:$/, "");
  return `${proto.split(",")[0]!.trim()}://${host.split(",")[0]!.trim()}`;
}

export function isSameOriginRequest(headers: Headers, url: URL, allowed: string[]): boolean {
  const origin = headers.get("origin");
  if (!origin) return false;
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite !== null && fetchSite !== "same-origin") return false;
  const accepted = allowed.length > 0 ? allowed : [requestOrigin(headers, url)];
  return accepted.includes(origin);
}
