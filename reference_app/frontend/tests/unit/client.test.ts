/** The typed client: bearer token, one silent refresh on 401, the error shape, Zod at the boundary. */
import { describe, expect, test } from "vitest";

import { call, callNoContent, createApiClient } from "@/lib/api/client";
import { ApiError } from "@/lib/api/errors";
import { todoPageSchema, todoSchema } from "@/lib/api/schemas";
import { Session } from "@/lib/auth/session";

import { apiError, json, makeTodo, recordingFetch } from "./fixtures";

const ORIGIN = "http://frontend.test";

/** A session whose refresh handler answers with `tokens` in turn (null: refused). */
function sessionRefreshingTo(...tokens: (string | null)[]) {
  const refreshes = recordingFetch(() => {
    const token = tokens.shift() ?? null;
    return token ? json({ access_token: token, expires_in: 1800 }) : apiError(401, "INVALID_TOKEN");
  });
  return { session: new Session({ baseUrl: ORIGIN, fetch: refreshes.fetch }), refreshes: refreshes.sent };
}

describe("authenticated requests", () => {
  test("a 401 refreshes the session once and retries the request with the new token", async () => {
    const { session, refreshes } = sessionRefreshingTo("fresh-token");
    const todo = makeTodo({ title: "Retried", priority: 2 });
    const api = recordingFetch((request) =>
      request.headers.get("Authorization") === "Bearer fresh-token" ? json(todo, 201) : apiError(401, "TOKEN_EXPIRED"),
    );
    const client = createApiClient(session, ORIGIN, api.fetch);

    const created = await call(client.POST("/api/v1/todos", { body: { title: "Retried", priority: 2 } }), todoSchema);

    expect(created).toEqual(todo);
    expect(refreshes).toHaveLength(1);
    expect(api.sent.map((request) => request.headers.get("Authorization"))).toEqual([null, "Bearer fresh-token"]);
    // The retry carries the same body: it was copied before the first send consumed it.
    expect(api.sent.map((request) => JSON.parse(request.body))).toEqual([
      { title: "Retried", priority: 2 },
      { title: "Retried", priority: 2 },
    ]);
    expect(session.accessToken).toBe("fresh-token");
  });

  test("a second 401 after the refresh is not retried again", async () => {
    const { session, refreshes } = sessionRefreshingTo("fresh-token", "another");
    const api = recordingFetch(() => apiError(401, "TOKEN_REVOKED"));
    const client = createApiClient(session, ORIGIN, api.fetch);

    const failure = call(client.GET("/api/v1/todos"), todoPageSchema);

    await expect(failure).rejects.toMatchObject({ status: 401, code: "TOKEN_REVOKED" });
    expect(api.sent).toHaveLength(2);
    expect(refreshes).toHaveLength(1);
  });

  test("a refused refresh signs out and returns the original 401", async () => {
    const { session } = sessionRefreshingTo(null);
    const api = recordingFetch(() => apiError(401, "TOKEN_EXPIRED"));
    const client = createApiClient(session, ORIGIN, api.fetch);

    await expect(call(client.GET("/api/v1/todos"), todoPageSchema)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    expect(api.sent).toHaveLength(1);
    expect(session.accessToken).toBeNull();
  });

  test("requests failing together share one refresh", async () => {
    const { session, refreshes } = sessionRefreshingTo("fresh-token");
    const api = recordingFetch((request) =>
      request.headers.get("Authorization") ? json({ items: [], page: 1, page_size: 20, total: 0, has_next: false }) : apiError(401, "TOKEN_EXPIRED"),
    );
    const client = createApiClient(session, ORIGIN, api.fetch);

    await Promise.all(Array.from({ length: 5 }, () => call(client.GET("/api/v1/todos"), todoPageSchema)));

    expect(refreshes).toHaveLength(1);
    expect(api.sent).toHaveLength(10);
  });
});

describe("the boundary", () => {
  test("a body that does not match the schema is an INVALID_RESPONSE, not data", async () => {
    const { session } = sessionRefreshingTo();
    const api = recordingFetch(() => json({ ...makeTodo(), priority: "high" }));
    const client = createApiClient(session, ORIGIN, api.fetch);

    const failure = call(client.GET("/api/v1/todos/{todo_id}", { params: { path: { todo_id: "x" } } }), todoSchema);

    await expect(failure).rejects.toMatchObject({ code: "INVALID_RESPONSE" });
  });

  test("the error shape becomes an ApiError with its code, message and request id", async () => {
    const { session } = sessionRefreshingTo();
    const api = recordingFetch(() => apiError(404, "NOT_FOUND", "Todo not found"));
    const client = createApiClient(session, ORIGIN, api.fetch);

    const error = await callNoContent(client.DELETE("/api/v1/todos/{todo_id}", { params: { path: { todo_id: "x" } } })).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 404, code: "NOT_FOUND", message: "Todo not found", requestId: "req-1" });
  });

  test("a validation error names its fields", async () => {
    const body = {
      error: {
        code: "VALIDATION_ERROR",
        message: "The request is not valid",
        details: [{ loc: ["body", "title"], message: "too short", type: "string_too_short" }],
        request_id: null,
      },
    };
    const { session } = sessionRefreshingTo();
    const client = createApiClient(session, ORIGIN, recordingFetch(() => json(body, 422)).fetch);

    const error = await call(client.POST("/api/v1/todos", { body: { title: "" } }), todoSchema).catch((caught: unknown) => caught);

    expect((error as ApiError).fields).toEqual(["title"]);
  });

  test("an unreachable server is a NETWORK_ERROR", async () => {
    const { session } = sessionRefreshingTo();
    const failing = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const client = createApiClient(session, ORIGIN, failing);

    await expect(call(client.GET("/api/v1/todos"), todoPageSchema)).rejects.toMatchObject({ code: "NETWORK_ERROR" });
  });
});
