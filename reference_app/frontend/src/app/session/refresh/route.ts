/**
 * POST /session/refresh: trade the cookie's refresh token for a new pair (the app rotates it).
 * A refused token clears the cookie, so the page shows "signed out" instead of retrying forever.
 */
import type { NextRequest } from "next/server";

import { logger } from "@/server/logger";
import {
  REFRESH_COOKIE,
  callAuth,
  clearSessionCookie,
  errorJson,
  refuseCrossSite,
  relayError,
  sessionResponse,
} from "@/server/session";

export async function POST(request: NextRequest) {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const refreshToken = request.cookies.get(REFRESH_COOKIE)?.value;
  if (!refreshToken) return errorJson(401, "NOT_AUTHENTICATED", "No session");
  const { status, json } = await callAuth(request, "refresh", { refresh_token: refreshToken });
  if (status !== 200) {
    logger.info({ status }, "session_refresh_refused");
    return status === 401 ? clearSessionCookie(relayError(status, json)) : relayError(status, json);
  }
  return sessionResponse(json);
}
