/** Server-Sent Events: parsing, resuming with Last-Event-ID, and what events do to the cache. */
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, test } from "vitest";

import { queryKeys } from "@/lib/api/queryKeys";
import type { PostPage, TodoPage } from "@/lib/api/schemas";
import { applyEvent } from "@/lib/events/cache";
import { SseParser, type StreamEvent, type StreamState, followEvents } from "@/lib/events/sse";

import { USER_ID, makePost, makeTodo, makeUser } from "./fixtures";

describe("SseParser", () => {
  test("splits events across chunks, joins data lines, skips comments and keeps the id", () => {
    const events: StreamEvent[] = [];
    const retries: number[] = [];
    const parser = new SseParser((event) => events.push(event), (ms) => retries.push(ms));

    parser.push("retry: 2000\r\n\r\n: ping\n\nid: 1-0\nevent: post.cre");
    parser.push('ated\ndata: {"a":\ndata: 1}\n\n');
    parser.push("data: no id or type\n\n");

    expect(retries).toEqual([2000]);
    expect(events).toEqual([
      { id: "1-0", type: "post.created", data: '{"a":\n1}' },
      { id: "1-0", type: "message", data: "no id or type" },
    ]);
  });
});

function streamOf(text: string): Response {
  return new Response(text, { headers: { "Content-Type": "text/event-stream" } });
}

describe("followEvents", () => {
  test("reconnects after the stream ends, sending the token and the last event id", async () => {
    const controller = new AbortController();
    const sent: Headers[] = [];
    const events: StreamEvent[] = [];
    const states: StreamState[] = [];
    const bodies = ["retry: 1\n\nid: 7-0\nevent: todo.created\ndata: {}\n\n", "retry: 1\n\nid: 8-0\nevent: todo.updated\ndata: {}\n\n"];
    const fetchImpl = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new Headers(init?.headers));
      const body = bodies.shift();
      if (body === undefined) {
        controller.abort();
        throw new DOMException("aborted", "AbortError");
      }
      return streamOf(body);
    }) as typeof fetch;

    const last = await followEvents({
      url: "http://frontend.test/api/v1/events",
      token: () => "access",
      onEvent: (event) => events.push(event),
      onState: (state) => states.push(state),
      signal: controller.signal,
      fetch: fetchImpl,
    });

    expect(events.map((event) => event.type)).toEqual(["todo.created", "todo.updated"]);
    expect(sent.map((headers) => headers.get("Last-Event-ID"))).toEqual([null, "7-0", "8-0"]);
    expect(sent.every((headers) => headers.get("Authorization") === "Bearer access")).toBe(true);
    expect(states.slice(0, 3)).toEqual(["connecting", "open", "closed"]);
    expect(last).toBe("8-0");
  });
  test("once aborted, reports nothing more (a newer stream owns the state)", async () => {
    const controller = new AbortController();
    const states: StreamState[] = [];
    const fetchImpl = (async (_url: RequestInfo | URL, init?: RequestInit) => {
      const body = new ReadableStream<Uint8Array>({
        start(stream) {
          stream.enqueue(new TextEncoder().encode("retry: 1\n\n"));
          init?.signal?.addEventListener("abort", () => stream.error(new DOMException("aborted", "AbortError")));
        },
      });
      return new Response(body);
    }) as typeof fetch;

    const following = followEvents({
      url: "http://frontend.test/api/v1/events",
      token: () => null,
      onEvent: () => {},
      onState: (state) => {
        states.push(state);
        if (state === "open") controller.abort();
      },
      signal: controller.signal,
      fetch: fetchImpl,
    });

    await following;
    expect(states).toEqual(["connecting", "open"]);
  });
});

function event(type: string, data: object): StreamEvent {
  return { id: "1-0", type, data: JSON.stringify(data) };
}

function page<Item>(items: Item[], pageNumber = 1) {
  return { items, page: pageNumber, page_size: 10, total: items.length, has_next: false };
}

describe("applyEvent", () => {
  test("a new published post enters page 1 and its detail; other pages only get updates", () => {
    const client = new QueryClient();
    const existing = makePost({ title: "Old" });
    client.setQueryData<PostPage>(queryKeys.postPage(1), page([existing]));
    client.setQueryData<PostPage>(queryKeys.postPage(2), page([], 2));
    const post = makePost({ title: "Live" });

    applyEvent(client, event("post.created", post));

    expect(client.getQueryData<PostPage>(queryKeys.postPage(1))?.items.map((item) => item.title)).toEqual(["Live", "Old"]);
    expect(client.getQueryData<PostPage>(queryKeys.postPage(1))?.total).toBe(2);
    expect(client.getQueryData<PostPage>(queryKeys.postPage(2))?.items).toEqual([]);
    expect(client.getQueryData(queryKeys.post(post.id))).toEqual(post);
  });

  test("an unpublished post leaves the lists; a deleted one leaves everything", () => {
    const client = new QueryClient();
    const [kept, unpublished, deleted] = [makePost(), makePost(), makePost()];
    client.setQueryData<PostPage>(queryKeys.postPage(1), page([kept, unpublished, deleted]));
    client.setQueryData(queryKeys.post(deleted.id), deleted);

    applyEvent(client, event("post.updated", { ...unpublished, published: false }));
    applyEvent(client, event("post.deleted", { id: deleted.id }));

    expect(client.getQueryData<PostPage>(queryKeys.postPage(1))?.items.map((item) => item.id)).toEqual([kept.id]);
    expect(client.getQueryData(queryKeys.post(deleted.id))).toBeUndefined();
  });

  test("a list with drafts keeps the viewer's own draft, not someone else's unpublished post", () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.me, makeUser());
    const mine = makePost({ author_id: USER_ID });
    const theirs = makePost({ author_id: "99999999-9999-4999-8999-999999999999" });
    client.setQueryData<PostPage>(queryKeys.postPage(1, true), page([mine, theirs]));
    client.setQueryData<PostPage>(queryKeys.postPage(1), page([mine, theirs]));

    applyEvent(client, event("post.updated", { ...mine, published: false }));
    applyEvent(client, event("post.updated", { ...theirs, published: false }));

    expect(client.getQueryData<PostPage>(queryKeys.postPage(1, true))?.items).toEqual([{ ...mine, published: false }]);
    expect(client.getQueryData<PostPage>(queryKeys.postPage(1))?.items).toEqual([]);
  });

  test("todo events create, update and delete in the cached list, once each", () => {
    const client = new QueryClient();
    const todo = makeTodo({ priority: 1 });
    client.setQueryData<TodoPage>(queryKeys.todos, page([]));

    applyEvent(client, event("todo.created", todo));
    applyEvent(client, event("todo.created", todo)); // the mutation's own result already added it
    applyEvent(client, event("todo.updated", { ...todo, priority: 5 }));
    expect(client.getQueryData<TodoPage>(queryKeys.todos)?.items).toEqual([{ ...todo, priority: 5 }]);

    applyEvent(client, event("todo.deleted", { id: todo.id }));
    expect(client.getQueryData<TodoPage>(queryKeys.todos)?.items).toEqual([]);
  });

  test("a reset marks every query stale; an unknown or malformed event changes nothing", () => {
    const client = new QueryClient();
    client.setQueryData<TodoPage>(queryKeys.todos, page([]));

    expect(applyEvent(client, { id: "1-0", type: "user.created", data: "{}" })).toBe(false);
    expect(applyEvent(client, { id: "1-0", type: "todo.created", data: "not json" })).toBe(false);
    expect(client.getQueryState(queryKeys.todos)?.isInvalidated).toBe(false);

    expect(applyEvent(client, { id: "9-0", type: "reset", data: "{}" })).toBe(true);
    expect(client.getQueryState(queryKeys.todos)?.isInvalidated).toBe(true);
  });
});
