/**
 * Accessibility: axe-core (the engine behind Lighthouse's accessibility audit) checks every page
 * against WCAG 2.1 A and AA — labels, names, contrast, landmarks, lang — in light and dark mode,
 * signed out and signed in. An automated audit finds about a third of real problems; keyboard
 * use and announced errors are checked by hand-written steps in app.spec.ts.
 */
import AxeBuilder from "@axe-core/playwright";
import { type Page, expect, test } from "@playwright/test";

const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const SIGNED_OUT = ["/", "/login", "/signup", "/forgot-password", "/posts"];
const SIGNED_IN = ["/todos", "/posts", "/profile"];

async function open(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
}

/** The violations axe finds on the page as it is now, one readable line each. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_AA).analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`every page passes WCAG 2.1 AA in ${colorScheme} mode`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    for (const path of SIGNED_OUT) {
      await open(page, path);
      expect(await violations(page), `${path}, signed out`).toEqual([]);
    }

    await open(page, "/signup");
    await page.getByLabel("Email").fill(`axe-${colorScheme}-${Date.now()}@example.com`);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/todos$/);
    if (colorScheme === "dark") {
      await expect(page.locator("html")).toHaveClass(/dark/);
    }
    for (const path of SIGNED_IN) {
      await open(page, path);
      expect(await violations(page), `${path}, signed in`).toEqual([]);
    }
  });
}
