/**
 * The Next.js side of a session: the only code that ever sees the refresh token. It calls the
 * app's auth routes server to server, keeps the refresh token in an httpOnly cookie scoped to
 * `/session`, and gives the page only the short-lived access token.
 */
import { type NextRequest, NextResponse } from "next/server";

import { errorResponseSchema, signupResponseSchema, tokenPairSchema } from "@/lib/api/schemas";

import { allowedOrigins, apiUrl, refreshCookieMaxAge } from "./config";
import { isSameOriginRequest } from "./csrf";
import { logger } from "./logger";

/** `__Secure-`: browsers accept this cookie only with `Secure`, so it cannot be downgraded. */
export const REFRESH_COOKIE = "__Secure-refresh_token";
export const COOKIE_PATH = "/session";

const NO_STORE = { "Cache-Control": "no-store" };

export function errorJson(status: number, code: string, message: string): NextResponse {
  return NextResponse.json(
    { error: { code, message, details: null, request_id: null } },
    { status, headers: NO_STORE },
  );
}

/** The CSRF check every session handler runs first. */
export function refuseCrossSite(request: NextRequest): NextResponse | null {
  if (isSameOriginRequest(request.headers, request.nextUrl, allowedOrigins())) return null;
  logger.warn({ path: request.nextUrl.pathname, origin: request.headers.get("origin") }, "session_csrf_refused");
  return errorJson(403, "FORBIDDEN", "Cross-site request refused");
}

/** POST a JSON body to one of the app's auth routes, passing the client's address along. */
export async function callAuth(
  request: NextRequest,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const forwarded = request.headers.get("x-forwarded-for");
  const response = await fetch(new URL(`/api/v1/auth/${path}`, apiUrl()), {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(forwarded ? { "X-Forwarded-For": forwarded } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const json: unknown = response.status === 204 ? null : await response.json().catch(() => null);
  return { status: response.status, json };
}

/** The app's error as is (its shape and code), or a 502 when it answered something else. */
export function relayError(status: number, json: unknown): NextResponse {
  const parsed = errorResponseSchema.safeParse(json);
  if (parsed.success) return NextResponse.json(parsed.data, { status, headers: NO_STORE });
  return errorJson(502, "INTERNAL_ERROR", "The API answered unexpectedly");
}

/** The page gets the access token (and the user, after sign-up); the cookie gets the rest. */
export function sessionResponse(json: unknown, status = 200): NextResponse {
  const signup = signupResponseSchema.safeParse(json);
  const tokens = signup.success ? signup.data.tokens : tokenPairSchema.safeParse(json).data;
  if (!tokens) return errorJson(502, "INTERNAL_ERROR", "The API answered unexpectedly");
  const response = NextResponse.json(
    {
      access_token: tokens.access_token,
      expires_in: tokens.expires_in,
      ...(signup.success ? { user: signup.data.user } : {}),
    },
    { status, headers: NO_STORE },
  );
  response.cookies.set(REFRESH_COOKIE, tokens.refresh_token, {
    httpOnly: true,
    secure: true,
    sameSite: "strict",
    path: COOKIE_PATH,
    maxAge: refreshCookieMaxAge(),
  });
  return response;
}

export function clearSessionCookie(response: NextResponse): NextResponse {
  response.cookies.set(REFRESH_COOKIE, "", {
    httpOnly: true,
    secure: true,
    sameSite: "strict",
    path: COOKIE_PATH,
    maxAge: 0,
  });
  return response;
}

export async function readJson(request: NextRequest): Promise<unknown> {
  return request.json().catch(() => ({}));
}

/**
 * The sign-in handlers' whole job (`/session/login`, `/session/signup`): refuse a cross-site
 * request, forward the body to the app's auth route, and on `expected` start the session
 * (the access token to the page, the refresh token into the cookie); else relay the app's error.
 */
export async function startSession(
  request: NextRequest,
  route: "login" | "signup",
  expected: number,
): Promise<NextResponse> {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const { status, json } = await callAuth(request, route, await readJson(request));
  if (status !== expected) {
    logger.info({ status }, `session_${route}_failed`);
    return relayError(status, json);
  }
  logger.info(`session_${route}`);
  return sessionResponse(json, expected);
}
