/** Entities shaped as the API returns them, and a fetch double that records what it was sent. */
import type { Post, Todo, User } from "@/lib/api/schemas";

export const USER_ID = "5f0c3c1e-8d2b-4a6e-9f7a-2b1c0d9e8f7a";
export const NOW = "2026-12-04T08:00:00.000000Z";

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: USER_ID,
    email: "ada@example.com",
    full_name: null,
    is_active: true,
    is_superuser: false,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

let counter = 0;
function nextId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
}

export function makeTodo(overrides: Partial<Todo> = {}): Todo {
  return {
    id: nextId(),
    owner_id: USER_ID,
    title: "Write the tests",
    description: null,
    completed: false,
    priority: 0,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

export function makePost(overrides: Partial<Post> = {}): Post {
  return {
    id: nextId(),
    author_id: USER_ID,
    title: "Hello",
    content: "First post.",
    published: true,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function apiError(status: number, code: string, message = code): Response {
  return json({ error: { code, message, details: null, request_id: "req-1" } }, status);
}

export interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A fetch that answers with `handler` and keeps every request it received, bodies read. */
export function recordingFetch(handler: (request: Sent) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const record = { url: request.url, method: request.method, headers: request.headers, body: await request.text() };
    sent.push(record);
    return handler(record);
  };
  return { fetch: fetchImpl as typeof fetch, sent };
}
