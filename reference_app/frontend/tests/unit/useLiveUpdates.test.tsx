/** The live-updates hook: events reach the cache, and a new token resumes from the last event. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, expect, test, vi } from "vitest";

import { queryKeys } from "@/lib/api/queryKeys";
import type { TodoPage } from "@/lib/api/schemas";
import { Session } from "@/lib/auth/session";
import { useLiveUpdates } from "@/lib/events/useLiveUpdates";

import { json, makeTodo } from "./fixtures";

afterEach(() => vi.unstubAllGlobals());

/** A stream that sends `text` and then stays open until the request is aborted. */
function openStream(text: string, signal: AbortSignal | null | undefined): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
}

test("writes events into the cache and, on log in, reconnects with the token and Last-Event-ID", async () => {
  const todo = makeTodo({ title: "Arrived live" });
  const streams: Headers[] = [];
  vi.stubGlobal("fetch", async (_input: RequestInfo | URL, init?: RequestInit) => {
    streams.push(new Headers(init?.headers));
    const event = streams.length === 1 ? `id: 3-0\nevent: todo.created\ndata: ${JSON.stringify(todo)}\n\n` : "";
    return openStream(`retry: 50\n\n${event}`, init?.signal);
  });
  const session = new Session({
    baseUrl: "http://frontend.test",
    fetch: (async () => json({ access_token: "access-1", expires_in: 1800 })) as typeof fetch,
  });
  const queryClient = new QueryClient();
  queryClient.setQueryData<TodoPage>(queryKeys.todos, { items: [], page: 1, page_size: 100, total: 0, has_next: false });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;

  const { result, unmount } = renderHook(() => useLiveUpdates(session), { wrapper });

  await waitFor(() => expect(result.current).toBe("open"));
  await waitFor(() => expect(queryClient.getQueryData<TodoPage>(queryKeys.todos)?.items).toEqual([todo]));
  expect(streams[0]?.get("Authorization")).toBeNull();

  await act(() => session.login({ email: "ada@example.com", password: "correct horse battery" }));

  await waitFor(() => expect(streams).toHaveLength(2));
  expect(streams[1]?.get("Authorization")).toBe("Bearer access-1");
  expect(streams[1]?.get("Last-Event-ID")).toBe("3-0");
  unmount();
});
