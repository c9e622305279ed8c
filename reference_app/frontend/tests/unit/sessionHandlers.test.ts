// @vitest-environment node
/**
 * The session route handlers, called as Next.js calls them, with the app's auth routes faked:
 * the cookie's flags, the CSRF check, rotation on refresh, and revocation on logout.
 */
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { POST as login } from "@/app/session/login/route";
import { POST as logout } from "@/app/session/logout/route";
import { POST as refresh } from "@/app/session/refresh/route";
import { isSameOriginRequest } from "@/server/csrf";
import { REFRESH_COOKIE } from "@/server/session";

import { apiError, json, recordingFetch, type Sent } from "./fixtures";

const ORIGIN = "http://frontend.test";

function tokens(n: number) {
  return { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: "bearer", expires_in: 1800 };
}

function sessionRequest(path: string, init: { origin?: string | null; cookie?: string; body?: unknown; authorization?: string } = {}) {
  const headers = new Headers({ "Content-Type": "application/json", Host: "frontend.test" });
  if (init.origin !== null) headers.set("Origin", init.origin ?? ORIGIN);
  if (init.cookie) headers.set("Cookie", `${REFRESH_COOKIE}=${init.cookie}`);
  if (init.authorization) headers.set("Authorization", init.authorization);
  return new NextRequest(`${ORIGIN}${path}`, {
    method: "POST",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

let app: ReturnType<typeof recordingFetch>;
let answer: (request: Sent) => Response;

beforeEach(() => {
  vi.stubEnv("API_URL", "http://api.test");
  app = recordingFetch((request) => answer(request));
  vi.stubGlobal("fetch", app.fetch);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe("POST /session/login", () => {
  test("keeps the refresh token in an httpOnly, Secure, SameSite=Strict cookie and gives the page only the access token", async () => {
    answer = () => json(tokens(1));

    const response = await login(sessionRequest("/session/login", { body: { email: "ada@example.com", password: "pw" } }));

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ access_token: "access-1", expires_in: 1800 });
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`${REFRESH_COOKIE}=refresh-1`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=strict/i);
    expect(cookie).toContain("Path=/session");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(app.sent[0]).toMatchObject({ url: "http://api.test/api/v1/auth/login", method: "POST" });
  });

  test("relays the app's error shape and sets no cookie", async () => {
    answer = () => apiError(401, "INVALID_CREDENTIALS");

    const response = await login(sessionRequest("/session/login", { body: { email: "ada@example.com", password: "no" } }));

    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe("INVALID_CREDENTIALS");
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("CSRF", () => {
  test.each([
    ["another site", "https://evil.example"],
    ["a sibling subdomain", "http://evil.frontend.test"],
    ["no Origin at all", null],
  ])("refuses %s before calling the app", async (_, origin) => {
    answer = () => json(tokens(1));

    const response = await refresh(sessionRequest("/session/refresh", { origin, cookie: "refresh-0" }));

    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("FORBIDDEN");
    expect(app.sent).toHaveLength(0);
  });

  test("follows the configured origins and Sec-Fetch-Site", () => {
    const url = new URL(`${ORIGIN}/session/refresh`);
    const headers = (values: Record<string, string>) => new Headers({ Host: "frontend.test", ...values });
    expect(isSameOriginRequest(headers({ Origin: ORIGIN }), url, [])).toBe(true);
    expect(isSameOriginRequest(headers({ Origin: ORIGIN, "Sec-Fetch-Site": "same-site" }), url, [])).toBe(false);
    expect(isSameOriginRequest(headers({ Origin: "https://app.example" }), url, ["https://app.example"])).toBe(true);
    expect(isSameOriginRequest(headers({ Origin: ORIGIN }), url, ["https://app.example"])).toBe(false);
    // Behind a proxy, the origin the browser used is in X-Forwarded-*.
    const proxied = headers({ Origin: "https://app.example", "X-Forwarded-Host": "app.example", "X-Forwarded-Proto": "https" });
    expect(isSameOriginRequest(proxied, url, [])).toBe(true);
  });
});

describe("POST /session/refresh", () => {
  test("trades the cookie for a rotated pair", async () => {
    answer = () => json(tokens(2));

    const response = await refresh(sessionRequest("/session/refresh", { cookie: "refresh-1" }));

    expect(await response.json()).toEqual({ access_token: "access-2", expires_in: 1800 });
    expect(JSON.parse(app.sent[0]!.body)).toEqual({ refresh_token: "refresh-1" });
    expect(response.headers.get("set-cookie")).toContain(`${REFRESH_COOKIE}=refresh-2`);
  });

  test("a refused token clears the cookie; no cookie is a 401 without asking the app", async () => {
    answer = () => apiError(401, "REFRESH_TOKEN_REUSED");

    const refused = await refresh(sessionRequest("/session/refresh", { cookie: "stolen" }));
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe("REFRESH_TOKEN_REUSED");
    expect(refused.headers.get("set-cookie")).toMatch(/Max-Age=0/);

    const none = await refresh(sessionRequest("/session/refresh"));
    expect(none.status).toBe(401);
    expect(app.sent).toHaveLength(1);
  });
});

describe("POST /session/logout", () => {
  test("revokes with the page's access token and clears the cookie", async () => {
    answer = () => new Response(null, { status: 204 });

    const response = await logout(sessionRequest("/session/logout", { cookie: "refresh-1", authorization: "Bearer access-1" }));

    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect(app.sent.map((request) => [request.url, request.headers.get("Authorization")])).toEqual([
      ["http://api.test/api/v1/auth/logout", "Bearer access-1"],
    ]);
  });

  test("with an expired access token, refreshes first so the session is still revoked", async () => {
    answer = (request) => {
      if (request.url.endsWith("/refresh")) return json(tokens(2));
      return request.headers.get("Authorization") === "Bearer access-2" ? new Response(null, { status: 204 }) : apiError(401, "TOKEN_EXPIRED");
    };

    const response = await logout(sessionRequest("/session/logout", { cookie: "refresh-1", authorization: "Bearer expired" }));

    expect(response.status).toBe(204);
    expect(app.sent.map((request) => request.url.split("/").at(-1))).toEqual(["logout", "refresh", "logout"]);
    expect(app.sent.at(-1)?.headers.get("Authorization")).toBe("Bearer access-2");
  });
});
