/**
 * End-to-end tests: Debian's Chromium (Playwright cannot download its own browsers here)
 * against the real FastAPI app and the production build of this frontend, both started on free
 * loopback ports by Playwright itself.
 *
 * The app runs on a fresh SQLite file by default; E2E_DATABASE_URL and E2E_REDIS_URL (with
 * E2E_REDIS_KEY_PREFIX) point it at PostgreSQL and Redis instead, as the pytest wrapper does
 * (reference_app/tests/test_frontend.py). Build first: `pnpm build`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { defineConfig } from "@playwright/test";

/** Ports and paths are chosen once, in the main process; workers inherit them via the environment. */
function once(name: string, make: () => string): string {
  process.env[name] ??= make();
  return process.env[name];
}

function freePort(): string {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ["-e", script]).toString().trim();
}

const apiPort = once("E2E_API_PORT", freePort);
const webPort = once("E2E_WEB_PORT", freePort);
const dataDir = once("E2E_DATA_DIR", () => mkdtempSync(join(tmpdir(), "frontend-e2e-")));
const databaseUrl = once("E2E_DATABASE_URL", () => `sqlite+aiosqlite:///${dataDir}/app.db`);

export const WEB_URL = `http://127.0.0.1:${webPort}`;
const API_URL = `http://127.0.0.1:${apiPort}`;
const SERVER_START_MS = 90_000;

export default defineConfig({
  testDir: "./e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  outputDir: "test-results",
  use: {
    baseURL: WEB_URL,
    browserName: "chromium",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  webServer: [
    {
      // From reference_app/, so `uv run` finds the app in the workbook and in a copied template.
      command: `uv run --frozen uvicorn reference_app.main:create_app --factory --host 127.0.0.1 --port ${apiPort}`,
      cwd: "..",
      url: `${API_URL}/api/v1/health/ready`,
      timeout: SERVER_START_MS,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        APP_ENVIRONMENT: "development",
        APP_AUTO_MIGRATE: "true",
        APP_DATABASE_URL: databaseUrl,
        ...(process.env.E2E_REDIS_URL ? { APP_REDIS_URL: process.env.E2E_REDIS_URL } : {}),
        APP_REDIS_KEY_PREFIX: process.env.E2E_REDIS_KEY_PREFIX ?? `frontend-e2e-${apiPort}:`,
        // Jobs (the welcome and reset emails) on the embedded queue, worked in the API process:
        // a shared Redis must not collect Celery messages that no worker of this run takes.
        APP_CELERY_BROKER_URL: "filesystem://",
        APP_SECRET_KEY: "e2e-secret-key-that-is-long-enough-for-hs256",
        APP_FRONTEND_URL: WEB_URL,
        APP_EMAIL_BACKEND: "file",
        APP_EMAIL_FILE_DIR: join(dataDir, "emails"),
        APP_JOBS_QUEUE_DIR: join(dataDir, "jobs"),
        APP_EVENTS_HEARTBEAT_SECONDS: "5",
        APP_LOG_LEVEL: "WARNING",
      },
    },
    {
      command: "node .next/standalone/server.js",
      url: WEB_URL,
      timeout: SERVER_START_MS,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: { PORT: webPort, HOSTNAME: "127.0.0.1", API_URL, NEXT_TELEMETRY_DISABLED: "1" },
    },
  ],
});
