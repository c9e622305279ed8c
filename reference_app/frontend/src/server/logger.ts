/** Structured JSON logs for the server code (route handlers), one line per event, to stdout. */
import pino from "pino";

export const logger = pino({
  name: "frontend",
  level: process.env.LOG_LEVEL ?? "info",
  // Belt and braces: no handler logs a token, and these paths would be dropped if one did.
  redact: ["access_token", "refresh_token", "*.access_token", "*.refresh_token", "headers.cookie", "headers.authorization"],
});
