/**
 * The app's one error shape, `{"error": {"code", "message", "details", "request_id"}}`, as a
 * thrown `ApiError`. Components branch on `code` (stable) and show people a translated message
 * (see `i18n/messages.ts`), never the raw server text.
 */
import { errorResponseSchema } from "./schemas";

/** Codes this client words itself; anything else falls back to a generic message. */
export const KNOWN_ERROR_CODES = [
  "VALIDATION_ERROR",
  "NOT_AUTHENTICATED",
  "INVALID_CREDENTIALS",
  "INVALID_TOKEN",
  "TOKEN_EXPIRED",
  "TOKEN_REVOKED",
  "REFRESH_TOKEN_REUSED",
  "ACCOUNT_DISABLED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "EMAIL_ALREADY_REGISTERED",
  "PAYLOAD_TOO_LARGE",
  "RATE_LIMITED",
  "DATABASE_UNAVAILABLE",
  "INTERNAL_ERROR",
  "NETWORK_ERROR",
  "INVALID_RESPONSE",
] as const;

export type ErrorCode = (typeof KNOWN_ERROR_CODES)[number];

export function isKnownErrorCode(code: string): code is ErrorCode {
  return (KNOWN_ERROR_CODES as readonly string[]).includes(code);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The fields a validation error names (the last part of each `details[].loc`). */
  get fields(): string[] {
    if (!Array.isArray(this.details)) return [];
    return this.details.flatMap((error: { loc?: unknown[] }) => {
      const last = error.loc?.at(-1);
      return typeof last === "string" ? [last] : [];
    });
  }
}

/** An `ApiError` from a response body that should be the error shape (or is not, e.g. a proxy's). */
export function toApiError(status: number, body: unknown): ApiError {
  const parsed = errorResponseSchema.safeParse(body);
  if (!parsed.success) {
    return new ApiError(status, status >= 500 ? "INTERNAL_ERROR" : "INVALID_RESPONSE", `HTTP ${status}`);
  }
  const { code, message, details, request_id } = parsed.data.error;
  return new ApiError(status, code, message, details ?? null, request_id ?? null);
}
