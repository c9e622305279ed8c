/** POST /session/login: credentials in, access token out, refresh token into the cookie. */
import type { NextRequest } from "next/server";

import { startSession } from "@/server/session";

export async function POST(request: NextRequest) {
  return startSession(request, "login", 200);
}
