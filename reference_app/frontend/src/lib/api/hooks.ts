"use client";
/**
 * TanStack Query hooks over the typed client. Each mutation writes its result into the cache
 * itself; the live event of the same change arrives a moment later and changes nothing more
 * (entities are matched by id).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { useAuth } from "@/lib/auth/AuthProvider";

import { call, callNoContent } from "./client";
import { queryKeys } from "./queryKeys";
import {
  type PostPage,
  type Todo,
  type TodoPage,
  postPageSchema,
  postSchema,
  todoPageSchema,
  todoSchema,
  userSchema,
} from "./schemas";
import type { components } from "./schema";

export const POSTS_PAGE_SIZE = 10;
const TODOS_PAGE_SIZE = 100;

export function useTodos() {
  const { api, status } = useAuth();
  return useQuery({
    queryKey: queryKeys.todos,
    queryFn: () => call(api.GET("/api/v1/todos", { params: { query: { page_size: TODOS_PAGE_SIZE } } }), todoPageSchema),
    enabled: status === "signedIn",
  });
}

function replaceTodo(page: TodoPage | undefined, todo: Todo, prepend: boolean): TodoPage | undefined {
  if (!page) return page;
  const others = page.items.filter((item) => item.id !== todo.id);
  const known = others.length !== page.items.length;
  if (!known && !prepend) return page;
  const items = known ? page.items.map((item) => (item.id === todo.id ? todo : item)) : [todo, ...page.items];
  return { ...page, items, total: known ? page.total : page.total + 1 };
}

export function useCreateTodo() {
  const { api } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["TodoCreate"]) => call(api.POST("/api/v1/todos", { body }), todoSchema),
    onSuccess: (todo) => client.setQueryData<TodoPage>(queryKeys.todos, (page) => replaceTodo(page, todo, true)),
  });
}

export function useUpdateTodo() {
  const { api } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string } & components["schemas"]["TodoUpdate"]) =>
      call(api.PATCH("/api/v1/todos/{todo_id}", { params: { path: { todo_id: id } }, body }), todoSchema),
    onSuccess: (todo) => client.setQueryData<TodoPage>(queryKeys.todos, (page) => replaceTodo(page, todo, false)),
  });
}

export function useDeleteTodo() {
  const { api } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => callNoContent(api.DELETE("/api/v1/todos/{todo_id}", { params: { path: { todo_id: id } } })),
    onSuccess: (_, id) =>
      client.setQueryData<TodoPage>(queryKeys.todos, (page) =>
        page && { ...page, items: page.items.filter((item) => item.id !== id), total: Math.max(0, page.total - 1) },
      ),
  });
}

export function usePosts(page: number, drafts = false) {
  const { api } = useAuth();
  return useQuery({
    queryKey: queryKeys.postPage(page, drafts),
    queryFn: () =>
      call(
        api.GET("/api/v1/posts", { params: { query: { page, page_size: POSTS_PAGE_SIZE, published_only: !drafts } } }),
        postPageSchema,
      ),
    placeholderData: (previous: PostPage | undefined) => previous,
  });
}

export function usePost(id: string) {
  const { api } = useAuth();
  return useQuery({
    queryKey: queryKeys.post(id),
    queryFn: () => call(api.GET("/api/v1/posts/{post_id}", { params: { path: { post_id: id } } }), postSchema),
  });
}

export function useCreatePost() {
  const { api } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["PostCreate"]) => call(api.POST("/api/v1/posts", { body }), postSchema),
    onSuccess: (post) => {
      client.setQueryData(queryKeys.post(post.id), post);
      return client.invalidateQueries({ queryKey: queryKeys.posts });
    },
  });
}

export function useUpdatePost() {
  const { api } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string } & components["schemas"]["PostUpdate"]) =>
      call(api.PATCH("/api/v1/posts/{post_id}", { params: { path: { post_id: id } }, body }), postSchema),
    onSuccess: (post) => {
      client.setQueryData(queryKeys.post(post.id), post);
      return client.invalidateQueries({ queryKey: queryKeys.posts });
    },
  });
}

export function useDeletePost() {
  const { api } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => callNoContent(api.DELETE("/api/v1/posts/{post_id}", { params: { path: { post_id: id } } })),
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: queryKeys.post(id) });
      return client.invalidateQueries({ queryKey: queryKeys.posts });
    },
  });
}

/** Change the signed-in user's profile; email and password changes need `current_password`. */
export function useUpdateProfile() {
  const { api, user } = useAuth();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: components["schemas"]["UserUpdate"]) =>
      call(api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: user?.id ?? "" } }, body }), userSchema),
    onSuccess: (updated) => client.setQueryData(queryKeys.me, updated),
  });
}
