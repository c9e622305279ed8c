/** POST /session/signup: create the account and start its session in one step. */
import type { NextRequest } from "next/server";

import { startSession } from "@/server/session";

export async function POST(request: NextRequest) {
  return startSession(request, "signup", 201);
}
