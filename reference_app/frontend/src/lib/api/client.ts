/**
 * The typed API client: openapi-fetch over the generated `paths`, with the bearer token added
 * to every request and one silent refresh on a 401 (then the request is sent once more; a
 * second 401 is the caller's to handle, i.e. the user is signed out).
 *
 * `call()` is the boundary: it turns the error shape into an `ApiError` and runs the response
 * through its Zod schema, so no component ever holds unchecked data.
 */
import createClient from "openapi-fetch";
import type { z } from "zod";

import type { Session } from "@/lib/auth/session";

import { ApiError, toApiError } from "./errors";
import type { paths } from "./schema";

export type ApiClient = ReturnType<typeof createApiClient>;

export function authenticatedFetch(session: Session, fetchImpl: typeof fetch = globalThis.fetch) {
  const send = (request: Request, token: string | null) => {
    const headers = new Headers(request.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return fetchImpl(new Request(request, { headers }));
  };
  return async (request: Request): Promise<Response> => {
    const retry = request.clone(); // a body can be read once: keep a copy for the retry
    const response = await send(request, session.accessToken);
    if (response.status !== 401) return response;
    const token = await session.refresh();
    return token ? send(retry, token) : response;
  };
}

export function createApiClient(session: Session, baseUrl: string, fetchImpl?: typeof fetch) {
  return createClient<paths>({ baseUrl, fetch: authenticatedFetch(session, fetchImpl) });
}

interface FetchResult {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** The result of a successful call; an `ApiError` for no answer or for the error shape. */
async function succeeded(request: Promise<FetchResult>): Promise<FetchResult> {
  let result: FetchResult;
  try {
    result = await request;
  } catch (cause) {
    throw new ApiError(0, "NETWORK_ERROR", String(cause));
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error);
  return result;
}

/** The validated body of a successful call; an `ApiError` for the error shape or a bad body. */
export async function call<Schema extends z.ZodType>(
  request: Promise<FetchResult>,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const result = await succeeded(request);
  const parsed = schema.safeParse(result.data);
  if (!parsed.success) throw new ApiError(result.response.status, "INVALID_RESPONSE", parsed.error.message);
  return parsed.data;
}

/** For calls answered with 204 No Content. */
export async function callNoContent(request: Promise<FetchResult>): Promise<void> {
  await succeeded(request);
}
