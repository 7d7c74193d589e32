/**
 * The status page in a real browser: Debian's chromium, driven by playwright-core, and what the tests read
 * of the page.
 */
import { Effect } from "effect"
import { chromium, type Page } from "playwright-core"

export const launch = Effect.acquireRelease(
  Effect.promise(() =>
    chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
  ),
  (browser) => Effect.promise(() => browser.close())
)

export const text = (page: Page, selector: string) => Effect.promise(() => page.locator(selector).innerText())

/** Waits (the page refreshes itself every 2 s) until the element's text contains `expected`. */
export const shows = (page: Page, selector: string, expected: string) =>
  Effect.promise(() => page.locator(selector, { hasText: expected }).waitFor({ timeout: 10_000 }))

/** The item of the org tree whose org is named `name` (the deepest, when several are). */
export const item = (page: Page, name: string) =>
  page.locator("#tree li", { has: page.locator(`.org-name:text-is("${name}")`) }).last()
