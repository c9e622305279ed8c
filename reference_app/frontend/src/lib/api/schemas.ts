/**
 * Zod schemas for every response the client reads: the generated types say what the OpenAPI
 * document promises at compile time; these check what actually arrived at run time, at the
 * boundary, before any component sees it. Each schema is tied to its generated type below, so
 * `tsc` fails when the two disagree (e.g. after `pnpm api:generate` added a field).
 */
import { z } from "zod";

import type { components } from "./schema";

type Schemas = components["schemas"];

const uuid = z.string().uuid();
const timestamp = z.string().datetime({ offset: true });

export const userSchema = z.object({
  id: uuid,
  email: z.string().email(),
  full_name: z.string().nullable(),
  is_active: z.boolean(),
  is_superuser: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const todoSchema = z.object({
  id: uuid,
  owner_id: uuid,
  title: z.string(),
  description: z.string().nullable(),
  completed: z.boolean(),
  priority: z.number().int().min(0).max(5),
  created_at: timestamp,
  updated_at: timestamp,
});

export const postSchema = z.object({
  id: uuid,
  author_id: uuid,
  title: z.string(),
  content: z.string(),
  published: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const tokenPairSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  token_type: z.literal("bearer"),
  expires_in: z.number().int().positive(),
});

export const signupResponseSchema = z.object({ user: userSchema, tokens: tokenPairSchema });

export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).nullish(),
    request_id: z.string().nullish(),
  }),
});

export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({
    items: z.array(item),
    page: z.number().int().positive(),
    page_size: z.number().int().positive(),
    total: z.number().int().nonnegative(),
    has_next: z.boolean(),
  });
}

export const todoPageSchema = pageSchema(todoSchema);
export const postPageSchema = pageSchema(postSchema);

export type User = z.infer<typeof userSchema>;
export type Todo = z.infer<typeof todoSchema>;
export type Post = z.infer<typeof postSchema>;
export type TodoPage = z.infer<typeof todoPageSchema>;
export type PostPage = z.infer<typeof postPageSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** True only when A and B are the same type (each assignable to the other, exactly). */
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;

// Each line fails to compile when a schema drifts from the generated OpenAPI types.
export type SchemaMatchesOpenApi = [
  Assert<Same<User, Schemas["UserRead"]>>,
  Assert<Same<Todo, Schemas["TodoRead"]>>,
  Assert<Same<Post, Schemas["PostRead"]>>,
  Assert<Same<TodoPage, Schemas["Page_TodoRead_"]>>,
  Assert<Same<PostPage, Schemas["Page_PostRead_"]>>,
  Assert<Same<z.infer<typeof tokenPairSchema>, Required<Schemas["TokenPair"]>>>,
  Assert<Same<ErrorResponse["error"]["code"], Schemas["ErrorBody"]["code"]>>,
];
