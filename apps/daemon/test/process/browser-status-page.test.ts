/**
 * The status page in a real browser (Debian's chromium, driven by playwright-core): what a person sees, and
 * that it follows the daemon without a reload.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope } from "effect"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import type { Plan } from "@c42/reconcile"
import { version } from "../../src/Version.js"
import {
  change,
  conflict,
  desired,
  desiredPath,
  nextPassAt,
  pass,
  plan,
  statusServer,
  statusServerWith
} from "../support/daemon-fixtures.js"
import { d, plan as planOf, r, tenant, uid } from "../../../../packages/reconcile/test/plan-fixtures.js"
import { workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { item, launch, shows, text } from "../support/browser.js"
import { start } from "../support/simulator.js"

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
      expect(before).toContain("2 drift")
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

/** A tenant with a subtree to block, a conflict, and a team of 130 orgs with long names. */
const remote = tenant(
  r("Engineering", {}, r("Platform"), r("Mobile", {}, r("iOS"), r("Android"))),
  r("Archive"),
  r("Sales", {}, ...Array.from({ length: 130 }, (_, i) => r(`Regional sales team ${i + 1} of the northern hemisphere`)))
)

const pending: Plan.Plan = {
  ...planOf(remote, [
    d("Engineering", {}, d("Platform"), d("Mobile", { status: "blocked" }, d("iOS"), d("Android"))),
    d("Archive"),
    d("Sales", {}, ...Array.from({ length: 130 }, (_, i) => d(`Regional sales team ${i + 1} of the northern hemisphere`)))
  ]),
  conflicts: [conflict("Archive", "two orgs named Archive under the root")].map((found) => ({
    ...found,
    orgUids: [uid("Archive")]
  }))
}

/** A status server whose state database holds `remote` as the last snapshot and whose last pass left `pending`. */
const tenantServer = Effect.gen(function*() {
  const server = yield* statusServerWith({ tenantUrl: "https://ops:hunter2@console.example.com/?session=s3cr3t#top" })
  yield* server.db.saveSnapshot({ takenAt: new Date("2025-03-01T10:00:01.000Z"), orgs: remote })
  yield* server.update(DaemonStatus.desiredAccepted(desired, new Date()))
  yield* server.update(DaemonStatus.passFinished(pass({ result: "pending", pending: 1, conflicts: 1 }), pending, nextPassAt))
  return server
})

const open = (url: string, viewport = { width: 1280, height: 900 }) =>
  Effect.gen(function*() {
    const browser = yield* launch
    const page = yield* Effect.promise(() => browser.newPage({ viewport }))
    const treeRequests: Array<string> = []
    page.on("request", (request) => {
      if (request.url().includes("/api/tree")) treeRequests.push(new URL(request.url()).search)
    })
    yield* Effect.promise(() => page.goto(`${url}/`))
    yield* Effect.promise(() => page.locator("#tree > ul > li").first().waitFor({ timeout: 10_000 }))
    return { page, treeRequests }
  })

describe("status page: header, org tree, narrow screens", () => {
  it.scopedLive("names the tenant without its credentials and the orgsync version; no commit without git", () =>
    Effect.gen(function*() {
      const { url } = yield* tenantServer
      const { page } = yield* open(url)
      expect(yield* text(page, "#tenant")).toBe("Code42 https://console.example.com")
      expect(yield* Effect.promise(() => page.locator("#tenant a").getAttribute("href"))).toBe("https://console.example.com")
      expect(yield* text(page, "#version")).toBe(`orgsync ${version}`)
      expect(yield* Effect.promise(() => page.locator("#commit").count())).toBe(0)
      const served = yield* Effect.promise(() => page.content())
      for (const secret of ["hunter2", "ops:", "s3cr3t"]) expect(served).not.toContain(secret)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })

  it.scopedLive("shows the org tree with status and badges, opens a node on demand, pages long lists", () =>
    Effect.gen(function*() {
      const { update, url } = yield* tenantServer
      const { page, treeRequests } = yield* open(url)
      expect(yield* text(page, "#tree-about")).toContain("The orgs under Top as last read from Code42 (2025-03-01T10:00:01.000Z)")
      const top = yield* Effect.promise(() => page.locator("#tree > ul > li > details > summary, #tree > ul > li > .leaf").allInnerTexts())
      expect(top.map((line) => line.split("\n")[0])).toEqual([
        "Archive active conflict",
        "Engineering active below: 3 pending",
        "Sales active"
      ])
      expect(yield* text(page, "#tree > ul > li:first-child")).toContain("two orgs named Archive under the root")
      // Nothing below the top level is read before a node is opened.
      expect(treeRequests).toEqual(["?offset=0"])

      yield* Effect.promise(() => item(page, "Engineering").locator("summary").first().click())
      yield* Effect.promise(() => item(page, "Mobile").waitFor({ timeout: 10_000 }))
      expect(treeRequests).toContain(`?offset=0&under=${encodeURIComponent(uid("Engineering"))}`)
      const mobile = yield* text(page, `details[data-uid="${uid("Engineering/Mobile")}"] > summary`)
      expect(mobile).toContain("Mobile active pending")
      expect(mobile).toContain("block (and 2 below)")
      yield* Effect.promise(() => item(page, "Mobile").locator("summary").first().click())
      yield* Effect.promise(() => item(page, "iOS").waitFor({ timeout: 10_000 }))
      expect(yield* text(page, `details[data-uid="${uid("Engineering/Mobile")}"] li:has-text("iOS")`)).toContain(
        "block with Engineering/Mobile"
      )

      // 130 children: the first 100, then the rest on demand.
      yield* Effect.promise(() => item(page, "Sales").locator("summary").first().click())
      const sales = page.locator(`details[data-uid="${uid("Sales")}"] > ul`)
      yield* Effect.promise(() => sales.locator("button.more").waitFor({ timeout: 10_000 }))
      expect(yield* Effect.promise(() => sales.locator(":scope > li[data-path]").count())).toBe(100)
      expect(yield* text(page, `details[data-uid="${uid("Sales")}"] button.more`)).toBe("30 more")
      yield* Effect.promise(() => sales.locator("button.more").click())
      yield* Effect.promise(() => sales.locator(":scope > li[data-path]").nth(129).waitFor({ timeout: 10_000 }))
      expect(yield* Effect.promise(() => sales.locator("button.more").count())).toBe(0)

      // A pass that converged: the tree is read again, without the badges, and the nodes opened stay open.
      yield* Effect.promise(() => page.evaluate("document.querySelector('#tree > ul').dataset.before = 'yes'"))
      yield* update(DaemonStatus.passFinished(pass({ finishedAt: new Date("2025-03-01T10:05:00.000Z") }), {
        ...pending,
        changes: [],
        conflicts: []
      }, nextPassAt))
      yield* Effect.promise(() => page.locator("#tree > ul:not([data-before])").waitFor({ timeout: 10_000 }))
      yield* Effect.promise(() => item(page, "iOS").waitFor({ timeout: 10_000 }))
      expect(yield* Effect.promise(() => page.locator("#tree .tag").count())).toBe(0)
      expect(yield* Effect.promise(() => page.locator(`details[data-uid="${uid("Engineering/Mobile")}"][open]`).count()))
        .toBe(1)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })

  it.scopedLive("opens the page of a run from the history: each write and how it ended, also at 390 px", () =>
    Effect.gen(function*() {
      const { db, url } = yield* tenantServer
      const run = yield* db.runStart("run", false)
      const journal = (action: "create" | "block", path: string, orgUid: string | null) =>
        db.journalBegin({ action, path, orgUid, parentOrgUid: null, orgName: null, preexisting: [], runId: run })
      yield* db.journalSettle(yield* journal("create", "Engineering/Data", null), "done", { orgUid: "u/data" })
      yield* db.journalSettle(yield* journal("block", "Engineering/Mobile", uid("Engineering/Mobile")), "failed", {
        error: "PARENT_ORG_IS_BLOCKED: the parent org is blocked"
      })
      yield* db.runFinish(run, "failed", { applied: 1, failed: 1 }, ["block Engineering/Mobile: PARENT_ORG_IS_BLOCKED"])

      const { page } = yield* open(url, { width: 390, height: 844 })
      yield* Effect.promise(() => page.locator(`#runs a[href="/runs/${run}"]`).click())
      yield* Effect.promise(() => page.waitForURL(`${url}/runs/${run}`))
      expect(yield* Effect.promise(() => page.title())).toBe(`orgsync: run ${run}`)
      expect(yield* text(page, "h1")).toBe(`orgsync run ${run}`)
      expect(yield* text(page, "#tenant")).toBe("Code42 https://console.example.com")
      expect(yield* text(page, "#version")).toBe(`orgsync ${version}`)
      const rows = page.locator("#writes tbody tr")
      expect(yield* Effect.promise(() => rows.count())).toBe(2)
      const cells = yield* Effect.forEach([0, 1], (i) =>
        Effect.promise(() => rows.nth(i).locator("td").allInnerTexts()).pipe(
          Effect.map((texts) => texts.slice(0, 3).map((cell) => cell.trim()))
        ))
      expect(cells).toEqual([
        ["create", "Engineering/Data\nu/data", "done"],
        ["block", `Engineering/Mobile\n${uid("Engineering/Mobile")}`, "failed\nPARENT_ORG_IS_BLOCKED: the parent org is blocked"]
      ])
      expect(yield* text(page, ".problem")).toContain("block Engineering/Mobile: PARENT_ORG_IS_BLOCKED")
      expect(yield* Effect.promise(() => page.evaluate("document.scrollingElement.scrollWidth"))).toBeLessThanOrEqual(390)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })

  it.scopedLive("fits a 390 px wide screen: the page never scrolls sideways, tables scroll in their own box", () =>
    Effect.gen(function*() {
      const { url } = yield* tenantServer
      const { page } = yield* open(url, { width: 390, height: 844 })
      const scrollWidth = () => Effect.promise(() => page.evaluate("document.scrollingElement.scrollWidth"))
      expect(yield* scrollWidth()).toBeLessThanOrEqual(390)
      for (const name of ["Engineering", "Sales"]) {
        yield* Effect.promise(() => item(page, name).locator("summary").first().click())
      }
      yield* Effect.promise(() => item(page, "Mobile").locator("summary").first().click())
      yield* Effect.promise(() => item(page, "iOS").waitFor({ timeout: 10_000 }))
      yield* Effect.promise(() => page.locator("button.more").waitFor({ timeout: 10_000 }))
      expect(yield* scrollWidth()).toBeLessThanOrEqual(390)
      const tables = yield* Effect.promise(() => page.locator("table").count())
      expect(tables).toBeGreaterThan(0)
      expect(yield* Effect.promise(() => page.locator(".scroll > table").count())).toBe(tables)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 60_000 })
})

describe("status page of a running daemon", () => {
  it.scopedLive("shows the simulated tenant's tree, and the writes of the run that made it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n      - name: Data\n  - name: Sales\n    status: blocked\n")
      const daemon = yield* startDaemon(["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--interval", "1m"])
      yield* until(
        () =>
          fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ inSync: boolean }>).then((s) => s.inSync),
        30_000,
        daemon.output
      )
      const browser = yield* launch
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.goto(`${daemon.url}/`))
      expect(yield* text(page, "#tenant")).toBe(`Code42 ${sim.url}`)
      yield* Effect.promise(() => item(page, "Engineering").waitFor({ timeout: 10_000 }))
      expect(yield* text(page, "#tree-about")).toContain("The orgs under Acme")
      expect(yield* text(page, `#tree > ul > li:has(.org-name:text-is("Sales"))`)).toContain("Sales blocked")
      yield* Effect.promise(() => item(page, "Engineering").locator("summary").first().click())
      yield* Effect.promise(() => item(page, "Data").waitFor({ timeout: 10_000 }))
      expect(yield* Effect.promise(() => page.locator("#tree .tag").count())).toBe(0)

      // The first run created Data and blocked Sales: its page lists both writes, done.
      yield* Effect.promise(() => page.locator("#runs a").last().click())
      yield* Effect.promise(() => page.locator("#writes tbody tr").first().waitFor({ timeout: 10_000 }))
      const writes = yield* Effect.promise(() => page.locator("#writes tbody tr").allInnerTexts())
      expect(writes.map((row) => row.split(/\s+/).slice(0, 2).join(" ")).sort()).toEqual(["block Sales", "create Engineering/Data"])
      for (const row of writes) expect(row).toContain("done")
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), { timeout: 120_000 })
})
