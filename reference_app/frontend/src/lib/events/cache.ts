/**
 * What a live event does to TanStack Query's cache: the entity it carries replaces the cached
 * copy (lists and detail), so a page shows the change without asking the API again. A `reset`
 * (the server could not replay what this client missed) marks everything stale instead.
 */
import type { QueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { queryKeys } from "@/lib/api/queryKeys";
import { type Post, type PostPage, type Todo, type TodoPage, type User, postSchema, todoSchema } from "@/lib/api/schemas";

import type { StreamEvent } from "./sse";

const deletedSchema = z.object({ id: z.string() });

interface Page<Item> {
  items: Item[];
  page: number;
  total: number;
}

function upsert<Item extends { id: string }, P extends Page<Item>>(page: P, item: Item, prependIfNew: boolean): P {
  const index = page.items.findIndex((existing) => existing.id === item.id);
  if (index >= 0) return { ...page, items: page.items.with(index, item) };
  if (!prependIfNew) return page;
  return { ...page, items: [item, ...page.items], total: page.total + 1 };
}

function remove<Item extends { id: string }, P extends Page<Item>>(page: P, id: string): P {
  const items = page.items.filter((item) => item.id !== id);
  if (items.length === page.items.length) return page;
  return { ...page, items, total: Math.max(0, page.total - 1) };
}

/** Apply one event; returns whether it was understood (unknown types are ignored). */
export function applyEvent(client: QueryClient, event: StreamEvent): boolean {
  if (event.type === "reset") {
    void client.invalidateQueries();
    return true;
  }
  const [entity, action] = event.type.split(".");
  let payload: unknown;
  try {
    payload = JSON.parse(event.data);
  } catch {
    return false;
  }
  if (entity === "post") return applyPostEvent(client, action, payload);
  if (entity === "todo") return applyTodoEvent(client, action, payload);
  return false;
}

function applyPostEvent(client: QueryClient, action: string | undefined, payload: unknown): boolean {
  if (action === "deleted") {
    const { id } = deletedSchema.parse(payload);
    client.setQueriesData<PostPage>({ queryKey: queryKeys.posts }, (page) => page && remove(page, id));
    client.removeQueries({ queryKey: queryKeys.post(id) });
    return true;
  }
  const post: Post = postSchema.parse(payload);
  client.setQueryData(queryKeys.post(post.id), post);
  // A list shows published posts, plus the viewer's own drafts when it asked for them: a post
  // that left that set leaves the list, a new one enters page 1, others are updated in place.
  const viewerId = client.getQueryData<User>(queryKeys.me)?.id;
  for (const [key, page] of client.getQueriesData<PostPage>({ queryKey: queryKeys.posts })) {
    if (!page) continue;
    const withDrafts = key.includes("with-drafts");
    const listed = post.published || (withDrafts && post.author_id === viewerId);
    const next = listed ? upsert(page, post, action === "created" && page.page === 1) : remove(page, post.id);
    client.setQueryData(key, next);
  }
  return true;
}

function applyTodoEvent(client: QueryClient, action: string | undefined, payload: unknown): boolean {
  if (action === "deleted") {
    const { id } = deletedSchema.parse(payload);
    client.setQueryData<TodoPage>(queryKeys.todos, (page) => page && remove(page, id));
    return true;
  }
  const todo: Todo = todoSchema.parse(payload);
  client.setQueryData<TodoPage>(queryKeys.todos, (page) => page && upsert(page, todo, action === "created"));
  return true;
}
