/**
 * The status page in a real browser (Debian's chromium, driven by playwright-core): what a person sees, and
 * that it follows the daemon without a reload.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import { chromium, type Page } from "playwright-core"
import * as DaemonStatus from "../src/DaemonStatus.js"
import { change, conflict, desired, desiredPath, nextPassAt, pass, plan, statusServer } from "./daemonFixtures.js"

const launch = Effect.acquireRelease(
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

const text = (page: Page, selector: string) => Effect.promise(() => page.locator(selector).innerText())

/** Waits (the page refreshes itself every 2 s) until the element's text contains `expected`. */
const shows = (page: Page, selector: string, expected: string) =>
  Effect.promise(() => page.locator(selector, { hasText: expected }).waitFor({ timeout: 10_000 }))

describe("status page", () => {
  it.scopedLive("shows what is pending, then that all is in sync, without a reload", () =>
    Effect.gen(function*() {
      const serverScope = yield* Scope.make()
      const { update, url } = yield* statusServer.pipe(Scope.extend(serverScope))
      yield* update(DaemonStatus.desiredAccepted(desired, new Date()))
      yield* update(DaemonStatus.passFinished(
        pass({ result: "pending", pending: 1, conflicts: 1, drift: 2 }),
        plan(
          [change("Engineering/Mobile", {
            action: "block",
            orgUid: "u/m",
            before: { status: "active" },
            after: { status: "blocked" },
            cascadesTo: ["Engineering/Mobile/iOS"]
          })],
          [conflict("Sales", "two orgs named Sales under the root")]
        ), nextPassAt
      ))

      const browser = yield* launch
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.goto(`${url}/`))
      expect(yield* Effect.promise(() => page.title())).toBe("orgsync: out of sync")
      expect(yield* text(page, "h1")).toContain("Out of sync")
      const before = yield* text(page, "main")
      expect(before).toContain("Engineering/Mobile")
      expect(before).toContain("and 1 descendant")
      expect(before).toContain("status: active")
      expect(before).toContain("status: blocked")
      expect(before).toContain("two orgs named Sales under the root")
      expect(before).toContain("2 changes made in Code42 by hand")
      // Marks this document: a reload would lose the mark.
      yield* Effect.promise(() => page.evaluate("document.body.setAttribute('data-loaded-once', 'yes')"))

      const later = pass({ finishedAt: new Date("2025-03-01T10:05:00.000Z") })
      yield* update(DaemonStatus.passFinished(later, plan(), nextPassAt))
      yield* shows(page, "h1", "In sync")
      const after = yield* text(page, "main")
      expect(after).not.toContain("Engineering/Mobile")
      expect(after).toContain("Nothing pending.")
      expect(after).toContain("No conflict.")
      expect(yield* Effect.promise(() => page.title())).toBe("orgsync: in sync")

      yield* update(DaemonStatus.desiredRejected(
        [{ file: desiredPath, line: 4, column: 7, message: "duplicate sibling name \"<Platform>\"" }],
        new Date()
      ))
      yield* shows(page, "main", `${desiredPath}:4:7: duplicate sibling name "<Platform>"`)
      expect(yield* text(page, "h1")).toContain("Not ready")
      expect(yield* text(page, ".reason")).toContain("the last good state stays in force")
      expect(yield* Effect.promise(() => page.locator("main script").count())).toBe(0)

      // The daemon goes away: the page says so and keeps the last status.
      yield* Scope.close(serverScope, Exit.void)
      yield* Effect.promise(() => page.waitForSelector("#offline", { state: "visible", timeout: 10_000 }))
      expect(yield* text(page, "#offline")).toContain("does not answer")
      expect(yield* text(page, "main")).toContain(`${desiredPath}:4:7`)

      expect(yield* Effect.promise(() => page.locator("body[data-loaded-once=yes]").count())).toBe(1)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })
})
