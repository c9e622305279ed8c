/**
 * POST /session/logout: the app revokes the session, which takes an access token. The page
 * sends its own; if that one has expired, the cookie's refresh token buys a fresh one first, so
 * the session's tokens are revoked server-side rather than just forgotten by this browser. The
 * cookie is cleared whatever the app answers: the browser is signed out either way.
 */
import { type NextRequest, NextResponse } from "next/server";

import { tokenPairSchema } from "@/lib/api/schemas";
import { logger } from "@/server/logger";
import { REFRESH_COOKIE, callAuth, clearSessionCookie, refuseCrossSite } from "@/server/session";

async function revoke(request: NextRequest): Promise<number> {
  const authorization = request.headers.get("authorization");
  if (authorization) {
    const { status } = await callAuth(request, "logout", undefined, { Authorization: authorization });
    if (status !== 401) return status;
  }
  const refreshToken = request.cookies.get(REFRESH_COOKIE)?.value;
  if (!refreshToken) return 401;
  const refreshed = await callAuth(request, "refresh", { refresh_token: refreshToken });
  const tokens = tokenPairSchema.safeParse(refreshed.json);
  if (!tokens.success) return refreshed.status;
  const bearer = { Authorization: `Bearer ${tokens.data.access_token}` };
  return (await callAuth(request, "logout", undefined, bearer)).status;
}

export async function POST(request: NextRequest) {
  const refused = refuseCrossSite(request);
  if (refused) return refused;
  const status = await revoke(request);
  logger.info({ status }, "session_logout");
  return clearSessionCookie(new NextResponse(null, { status: 204 }));
}
