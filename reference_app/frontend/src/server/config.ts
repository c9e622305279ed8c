/** Server-only settings, read at request time so one build runs anywhere (Docker, tests). */

/** Where the FastAPI app listens, as seen from this server (not from the browser). */
export function apiUrl(): string {
  return process.env.API_URL ?? "http://127.0.0.1:8000";
}

/**
 * The origins allowed to call the session handlers. Unset: the origin this server is reached
 * at (from the Host header and the scheme), which is right whenever the page and the handlers
 * share an origin, as they do behind Traefik.
 */
export function allowedOrigins(): string[] {
  return (process.env.FRONTEND_ORIGINS ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** How long the browser keeps the refresh cookie; match the app's APP_REFRESH_TOKEN_EXPIRE_DAYS. */
export function refreshCookieMaxAge(): number {
  const days = Number(process.env.REFRESH_TOKEN_EXPIRE_DAYS ?? "7");
  return Math.round((Number.isFinite(days) && days > 0 ? days : 7) * 24 * 60 * 60);
}
