/** TanStack Query keys, in one place so the live updates patch exactly what the pages read. */
export const queryKeys = {
  me: ["me"] as const,
  todos: ["todos", "list"] as const,
  posts: ["posts", "list"] as const,
  /** One page of the list; `drafts`: the signed-in author's drafts included. */
  postPage: (page: number, drafts = false) => ["posts", "list", page, drafts ? "with-drafts" : "published"] as const,
  post: (id: string) => ["posts", "detail", id] as const,
};
