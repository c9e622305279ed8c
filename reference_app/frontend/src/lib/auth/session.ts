/**
 * The browser's side of a session: the access token lives in this object's memory only, and the
 * refresh token in an httpOnly cookie that only the Next.js handlers under `/session` can read
 * (so a script injected into the page can steal neither from storage).
 *
 * `refresh()` is single-flight: ten requests failing with 401 at once cause one refresh, and
 * all ten retry with its token. Two tabs refreshing at once are the server's concern (its
 * refresh-reuse grace period).
 */
import { z } from "zod";

import { ApiError, toApiError } from "@/lib/api/errors";
import { userSchema } from "@/lib/api/schemas";

export const sessionResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
  user: userSchema.optional(),
});

export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export interface Credentials {
  email: string;
  password: string;
}

type Listener = (token: string | null) => void;

export interface SessionOptions {
  /** Where the `/session/*` handlers are: the page's own origin in a browser. */
  baseUrl: string;
  fetch?: typeof fetch;
}

export class Session {
  private token: string | null = null;
  private listeners = new Set<Listener>();
  private pendingRefresh: Promise<string | null> | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: SessionOptions) {
    this.baseUrl = options.baseUrl;
    this.fetchImpl = options.fetch ?? ((...args) => globalThis.fetch(...args));
  }

  get accessToken(): string | null {
    return this.token;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async login(credentials: Credentials): Promise<SessionResponse> {
    return this.start("/session/login", credentials);
  }

  async signup(credentials: Credentials & { full_name?: string }): Promise<SessionResponse> {
    return this.start("/session/signup", credentials);
  }

  /** A new access token from the refresh cookie, or null when there is no valid session. */
  refresh(): Promise<string | null> {
    this.pendingRefresh ??= this.post("/session/refresh")
      .then(async (response) => {
        if (!response.ok) return null;
        return sessionResponseSchema.parse(await response.json()).access_token;
      })
      .catch(() => null)
      .then((token) => {
        this.setToken(token);
        return token;
      })
      .finally(() => {
        this.pendingRefresh = null;
      });
    return this.pendingRefresh;
  }

  /** Ends the session on the server (token denylisted, family revoked) and clears the cookie. */
  async logout(): Promise<void> {
    const headers: Record<string, string> = {};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    try {
      await this.post("/session/logout", undefined, headers);
    } finally {
      this.setToken(null);
    }
  }

  private async start(path: string, body: object): Promise<SessionResponse> {
    const response = await this.post(path, body);
    const json: unknown = await response.json().catch(() => null);
    if (!response.ok) throw toApiError(response.status, json);
    const parsed = sessionResponseSchema.safeParse(json);
    if (!parsed.success) throw new ApiError(response.status, "INVALID_RESPONSE", parsed.error.message);
    this.setToken(parsed.data.access_token);
    return parsed.data;
  }

  private post(path: string, body?: object, headers: Record<string, string> = {}) {
    return this.fetchImpl(new URL(path, this.baseUrl), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  private setToken(token: string | null): void {
    if (token === this.token) return;
    this.token = token;
    for (const listener of this.listeners) listener(token);
  }
}
