/**
 * `/api/*` forwarded to the FastAPI app, so that the page, the session handlers and the API
 * share one origin (no CORS, and the SameSite=Strict cookie just works). In the deployed stack
 * Traefik sends `/api` to the app directly and this handler never runs; it serves `next dev`,
 * `node server.js` on its own, and the end-to-end tests. Responses are streamed through, which
 * the Server-Sent Events of `/api/v1/events` need.
 */
import type { NextRequest } from "next/server";

import { apiUrl } from "@/server/config";
import { logger } from "@/server/logger";

export const dynamic = "force-dynamic";

// Hop-by-hop headers, and the browser's cookies: the app uses none, and the refresh cookie is
// for the session handlers only.
const DROPPED_REQUEST_HEADERS = ["host", "connection", "keep-alive", "transfer-encoding", "cookie", "content-length"];
// fetch() has already decoded the body, so its encoding and length no longer apply.
const DROPPED_RESPONSE_HEADERS = ["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"];

async function forward(request: NextRequest, context: { params: Promise<{ path: string[] }> }) {
  const { path } = await context.params;
  const target = new URL(`/api/${path.map(encodeURIComponent).join("/")}${request.nextUrl.search}`, apiUrl());
  const headers = new Headers(request.headers);
  for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: hasBody ? await request.arrayBuffer() : undefined,
      redirect: "manual",
      cache: "no-store",
      signal: request.signal,
    });
  } catch (error) {
    logger.error({ err: error, path: target.pathname }, "api_proxy_unreachable");
    return Response.json(
      { error: { code: "NETWORK_ERROR", message: "The API is unreachable", details: null, request_id: null } },
      { status: 503, headers: { "Retry-After": "5" } },
    );
  }
  const responseHeaders = new Headers(upstream.headers);
  for (const name of DROPPED_RESPONSE_HEADERS) responseHeaders.delete(name);
  return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
}

export { forward as DELETE, forward as GET, forward as PATCH, forward as POST, forward as PUT };
