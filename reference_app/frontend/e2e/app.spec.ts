/**
 * The whole stack in a real browser: sign up, a todo, a reload that keeps the session (the
 * refresh cookie), log out and in, a post published by a second browser arriving live (and
 * leaving when its author makes it a draft), dark mode, French, log out for good; and the
 * password reset from the emailed link. Screenshots land in test-results/ (kept by CI).
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { type BrowserContext, type Page, expect, test } from "@playwright/test";

const PASSWORD = "correct horse battery";

function newEmail(name: string): string {
  return `${name}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Go to `path` and wait until React has hydrated the page (before that, forms are inert HTML). */
async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
}

async function reload(page: Page): Promise<void> {
  await page.reload();
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
}

async function signUp(page: Page, email: string): Promise<void> {
  await open(page, "/signup");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/todos$/);
  await expect(page.getByTestId("current-user")).toHaveText(email);
}

async function refreshCookie(context: BrowserContext) {
  return (await context.cookies()).find((cookie) => cookie.name === "__Secure-refresh_token");
}

test("sign up, todos, live posts, theme, language, log out", async ({ page, browser }, testInfo) => {
  const email = newEmail("ada");
  await signUp(page, email);

  // The refresh token is in an httpOnly, Secure, SameSite=Strict cookie scoped to /session;
  // nothing the page's scripts can read holds a token.
  const cookie = await refreshCookie(page.context());
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/session" });
  expect(await page.evaluate(() => document.cookie)).not.toContain("refresh");
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toMatch(/token|eyJ/);

  // A todo with a priority.
  await page.getByLabel("Title").fill("Write the frontend chapter");
  await page.getByRole("combobox", { name: "Priority", exact: true }).selectOption("4");
  await page.getByRole("button", { name: "Add" }).click();
  const todo = page.getByTestId("todo").filter({ hasText: "Write the frontend chapter" });
  await expect(todo).toBeVisible();
  await expect(todo.getByRole("combobox")).toHaveValue("4");
  await page.screenshot({ path: testInfo.outputPath("01-todos.png"), fullPage: true });

  // A reload loses the in-memory access token; the cookie brings the session back.
  await reload(page);
  await expect(page.getByTestId("current-user")).toHaveText(email);
  await expect(todo).toBeVisible();

  // Log out, then in again.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong email or password.");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/todos$/);
  await expect(todo).toBeVisible();

  // A post published in another browser arrives live.
  await open(page, "/posts");
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "open");
  const other = await browser.newContext();
  const author = await other.newPage();
  await signUp(author, newEmail("grace"));
  await open(author, "/posts");
  const title = `Live from a second browser ${Date.now()}`;
  await author.getByLabel("Title").fill(title);
  await author.getByLabel("Content").fill("Sent by Server-Sent Events.");
  await author.getByRole("button", { name: "Save" }).click();
  await expect(author.getByTestId("post").filter({ hasText: title })).toBeVisible();
  await expect(page.getByTestId("post").filter({ hasText: title })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("02-live-post.png"), fullPage: true });

  // Its author turns it back into a draft: it leaves the first browser's list, live too.
  await author.getByRole("link", { name: title }).click();
  await author.getByRole("button", { name: "Edit" }).click();
  await author.getByRole("checkbox", { name: "Published" }).uncheck();
  await author.getByRole("button", { name: "Save" }).click();
  await expect(author.getByText("Draft", { exact: true })).toBeVisible();
  await expect(page.getByTestId("post").filter({ hasText: title })).toHaveCount(0);
  await other.close();

  // Dark mode: toggled, and kept across a reload.
  await page.getByRole("button", { name: "Dark mode" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByRole("button", { name: "Dark mode" })).toHaveAttribute("aria-pressed", "true");
  await reload(page);
  await expect(page.locator("html")).toHaveClass(/dark/);
  // The picture of a page at rest: the session restored from its cookie, the stream open.
  await expect(page.getByTestId("current-user")).toHaveText(email);
  await expect(page.getByTestId("live-status")).toHaveAttribute("data-state", "open");
  await page.screenshot({ path: testInfo.outputPath("03-dark.png"), fullPage: true });

  // French.
  await page.getByRole("combobox", { name: "Language" }).selectOption("fr");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Articles");
  await page.screenshot({ path: testInfo.outputPath("04-french.png"), fullPage: true });
  await page.getByRole("combobox", { name: "Langue" }).selectOption("en");

  // The profile, from the header.
  await page.getByTestId("current-user").click();
  await page.getByLabel("Full name (optional)").fill("Ada Lovelace");
  await page.getByRole("button", { name: "Save the profile" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");

  // Log out: the cookie is gone, and a reload stays signed out.
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(await refreshCookie(page.context())).toBeUndefined();
  await open(page, "/todos");
  await expect(page.getByRole("link", { name: "Log in to see this page." })).toBeVisible();
});

/** The reset link of the newest email the app wrote to `to` (the file backend, quoted-printable undone). */
function resetLinkSentTo(to: string): string | null {
  const directory = join(process.env.E2E_DATA_DIR ?? "", "emails");
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith(".eml"));
  } catch {
    return null; // nothing sent yet
  }
  for (const name of names) {
    const text = readFileSync(join(directory, name), "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    if (!text.includes(`To: ${to}`)) continue;
    const link = /(http:\/\/\S+\/reset-password\?token=\S+)/.exec(text)?.[1];
    if (link) return link;
  }
  return null;
}

test("password reset: the emailed link lands on a page that sets the new password", async ({ page, browser }) => {
  const email = newEmail("reset");
  await signUp(page, email);

  const visitor = await (await browser.newContext()).newPage();
  await open(visitor, "/login");
  await visitor.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(visitor.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await visitor.getByLabel("Email").fill(email);
  await visitor.getByRole("button", { name: "Send the link" }).click();
  await expect(visitor.getByRole("status")).toHaveText(/a reset link is on its way/);

  let link: string | null = null;
  await expect.poll(() => (link = resetLinkSentTo(email)), { timeout: 20_000 }).not.toBeNull();
  expect(link!.startsWith(`${test.info().project.use.baseURL}/reset-password?token=`)).toBe(true);
  await open(visitor, link!);
  await visitor.getByLabel("New password").fill("a brand new passphrase");
  await visitor.getByRole("button", { name: "Set the password" }).click();
  await expect(visitor.getByRole("status")).toContainText("Your password is changed.");

  // A reset ends every session: the first browser's refresh cookie no longer signs it in.
  await reload(page);
  await expect(page.getByRole("link", { name: "Log in to see this page." })).toBeVisible();

  await visitor.getByRole("main").getByRole("link", { name: "Log in" }).click();
  await expect(visitor.getByRole("heading", { name: "Log in" })).toBeVisible();
  await visitor.getByLabel("Email").fill(email);
  await visitor.getByLabel("Password").fill("a brand new passphrase");
  await visitor.getByRole("button", { name: "Log in" }).click();
  await expect(visitor.getByTestId("current-user")).toHaveText(email);
});

test("the session handlers refuse a cross-site request", async ({ request }) => {
  const response = await request.post("/session/refresh", { headers: { Origin: "https://evil.example" } });
  expect(response.status()).toBe(403);
  expect((await response.json()).error.code).toBe("FORBIDDEN");
});
