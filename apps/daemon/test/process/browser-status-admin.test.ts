/**
 * The approve and reject buttons of held changes in a real browser: the admin token typed once, kept in the
 * tab's sessionStorage only, and sent as `Authorization: Bearer` to the admin API's documented contract
 * (`POST /api/approvals` and `POST /api/rejections` with `{"ids": [...]}`), whose requests the page's own
 * request capture answers and records.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { Page, Request } from "playwright-core"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import * as StatusPage from "../../src/StatusPage.js"
import { change, desired, nextPassAt, pass, plan, statusServer } from "../support/daemon-fixtures.js"
import { launch, text } from "../support/browser.js"

const token = "a-long-admin-token-0123456789"

const held: ReadonlyArray<StatusPage.HeldView> = [
  { id: "3f2a9c1b7d4e", action: "deactivate", path: "Sales", reach: 36 },
  { id: "9b1c2d3e4f5a", action: "block", path: "Engineering/Mobile", reach: 3 }
]

interface Captured {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly body: unknown
}

/**
 * A page on the status server whose status also says `admin` and lists `held` (as the admin API adds them),
 * with the admin API answered by `answer` and each of its requests captured.
 */
const adminPage = (options: { readonly admin: boolean; readonly answer?: (request: Request) => number }) =>
  Effect.gen(function*() {
    const { update, url } = yield* statusServer
    yield* update(DaemonStatus.desiredAccepted(desired, new Date()))
    yield* update(DaemonStatus.passFinished(
      pass({ result: "pending", pending: 2 }),
      plan([change("Sales", { action: "deactivate", orgUid: "u/s" })]),
      nextPassAt
    ))
    const browser = yield* launch
    const context = yield* Effect.promise(() => browser.newContext())
    const page = yield* Effect.promise(() => context.newPage())
    const served: Array<string> = []
    const captured: Array<Captured> = []
    yield* Effect.promise(() =>
      page.route(`${url}/`, async (route) => {
        const status = (await (await fetch(`${url}/api/status`)).json()) as DaemonStatus.StatusView
        const body = StatusPage.render({ ...status, admin: options.admin, held })
        served.push(body)
        await route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body })
      })
    )
    yield* Effect.promise(() =>
      page.route(/\/api\/(approvals|rejections)$/, async (route) => {
        const request = route.request()
        captured.push({
          method: request.method(),
          path: new URL(request.url()).pathname,
          authorization: (await request.allHeaders())["authorization"],
          body: request.postDataJSON()
        })
        const status = options.answer?.(request) ?? 200
        await route.fulfill({
          status,
          contentType: "application/json",
          body: JSON.stringify(status === 200 ? { approved: [] } : { error: "wrong admin token" })
        })
      })
    )
    yield* Effect.promise(() => page.goto(`${url}/`))
    return { context, page, served, captured, url }
  })

const click = (page: Page, selector: string) => Effect.promise(() => page.locator(selector).click())

const storage = (page: Page) =>
  Effect.promise(() =>
    page.evaluate("({ session: { ...sessionStorage }, local: { ...localStorage }, cookie: document.cookie })")
  ) as Effect.Effect<{ session: Record<string, string>; local: Record<string, string>; cookie: string }>

describe("status page: held changes", () => {
  it.scopedLive("approve and reject send the token typed once as a bearer, kept in sessionStorage only", () =>
    Effect.gen(function*() {
      const { captured, context, page, served, url } = yield* adminPage({ admin: true })
      const rows = yield* Effect.promise(() => page.locator("#held tbody tr").allInnerTexts())
      expect(rows).toHaveLength(2)
      expect(rows[0]).toContain("deactivate")
      expect(rows[0]).toContain("36 orgs")

      // No token yet: the page asks for it and sends nothing.
      yield* click(page, `button[data-decide=approve][data-id="${held[0]!.id}"]`)
      expect(yield* text(page, "#admin-said")).toBe("Enter the admin token first.")
      expect(captured).toEqual([])

      yield* Effect.promise(() => page.locator("#admin-token").fill(token))
      yield* click(page, "#admin-use")
      expect(yield* text(page, "#admin-state")).toBe("Admin token set for this tab.")
      yield* click(page, `button[data-decide=approve][data-id="${held[0]!.id}"]`)
      yield* Effect.promise(() => page.locator("#admin-said", { hasText: "Approved" }).waitFor({ timeout: 10_000 }))
      yield* click(page, `button[data-decide=reject][data-id="${held[1]!.id}"]`)
      yield* Effect.promise(() => page.locator("#admin-said", { hasText: "Rejected" }).waitFor({ timeout: 10_000 }))
      expect(captured).toEqual([
        { method: "POST", path: "/api/approvals", authorization: `Bearer ${token}`, body: { ids: [held[0]!.id] } },
        { method: "POST", path: "/api/rejections", authorization: `Bearer ${token}`, body: { ids: [held[1]!.id] } }
      ])

      // Kept for this tab only: not in localStorage, not in a cookie, never in a page the daemon served.
      expect(yield* storage(page)).toEqual({ session: { "orgsync.adminToken": token }, local: {}, cookie: "" })
      yield* Effect.promise(() => page.reload())
      yield* click(page, `button[data-decide=approve][data-id="${held[1]!.id}"]`)
      yield* Effect.promise(() =>
        page.waitForFunction(`document.getElementById("admin-said").textContent.startsWith("Approved ${held[1]!.id}")`)
      )
      expect(captured[2]).toMatchObject({ authorization: `Bearer ${token}`, body: { ids: [held[1]!.id] } })
      expect(served.length).toBeGreaterThan(1)
      for (const body of served) expect(body).not.toContain(token)

      // Another tab has no token.
      const other = yield* Effect.promise(() => context.newPage())
      yield* Effect.promise(() => other.goto(`${url}/`))
      expect((yield* storage(other)).session).toEqual({})
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })

  it.scopedLive("a refused token is forgotten and said; without an admin token on the daemon there are no buttons", () =>
    Effect.gen(function*() {
      const { captured, page } = yield* adminPage({ admin: true, answer: () => 401 })
      yield* Effect.promise(() => page.locator("#admin-token").fill("not-the-token-at-all"))
      yield* click(page, "#admin-use")
      yield* click(page, `button[data-decide=reject][data-id="${held[0]!.id}"]`)
      yield* Effect.promise(() => page.locator("#admin-said", { hasText: "Refused" }).waitFor({ timeout: 10_000 }))
      expect(yield* text(page, "#admin-said")).toBe("Refused (401): wrong admin token")
      expect(captured).toHaveLength(1)
      expect((yield* storage(page)).session).toEqual({})
      expect(yield* Effect.promise(() => page.locator("#admin-token").isVisible())).toBe(true)

      const plain = yield* adminPage({ admin: false })
      expect(yield* Effect.promise(() => plain.page.locator("#admin").isVisible())).toBe(false)
      expect(yield* Effect.promise(() => plain.page.locator("button[data-decide]").count())).toBe(0)
      expect(yield* text(plain.page, "#held tbody tr:first-child")).toContain(`orgsync approve ${held[0]!.id}`)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })
})
