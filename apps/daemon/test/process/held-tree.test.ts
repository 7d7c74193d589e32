/**
 * The org tree of a running daemon under `destructive: confirm`: an org whose change is held carries the
 * `held` badge beside `pending`, and the orgs above count it, in `GET /api/tree` and in the page drawn by
 * Chromium; the badge goes once the change is approved and applied.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type * as StatusTree from "../../src/StatusTree.js"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { getJson, startDaemon, until } from "../support/daemon.js"
import { item, launch, shows } from "../support/browser.js"
import { named, start } from "../support/simulator.js"

const token = "held-tree-admin-token-0123456789"
const env = { ...credentials, ORGSYNC_ADMIN_TOKEN: token }

/** Platform, under Engineering, is to be blocked. */
const orgs = "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n        status: blocked\n  - name: Sales\n"

interface Status {
  readonly held: ReadonlyArray<{ readonly id: string; readonly path: string; readonly state: string }>
}

/** The tree's top level, and the children of Engineering. */
const engineering = (url: string) =>
  Effect.gen(function*() {
    const top = yield* getJson<StatusTree.TreePage>(`${url}/api/tree`)
    const parent = top.nodes.find((node) => node.name === "Engineering")!
    const below = yield* getJson<StatusTree.TreePage>(`${url}/api/tree?under=${encodeURIComponent(parent.orgUid!)}`)
    return { top, parent, platform: below.nodes.find((node) => node.name === "Platform")! }
  })

/** A daemon that holds the block of Engineering/Platform for approval. */
const holding = Effect.gen(function*() {
  const sim = yield* start()
  const ws = workspace(orgs)
  const daemon = yield* startDaemon(
    ["--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--destructive", "confirm", "--interval", "1h"],
    env
  )
  yield* until(
    () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>).then((s) => s.held.length === 1),
    30_000,
    daemon.output
  )
  return { sim, daemon }
})

describe("org tree: held changes", () => {
  it.scopedLive("GET /api/tree marks the org of a held change held, counts it above, and clears it once applied", () =>
    Effect.gen(function*() {
      const { daemon, sim } = yield* holding
      const { parent, platform, top } = yield* engineering(daemon.url)
      expect(platform.badges).toEqual(["pending", "held"])
      expect(platform.notes).toContain("block held for approval")
      expect(parent.below).toEqual({ pending: 1, held: 1 })
      expect(top.nodes.find((node) => node.name === "Sales")!.badges).toEqual([])

      const held = (yield* getJson<Status>(`${daemon.url}/api/status`)).held[0]!
      expect(held.path).toBe("Engineering/Platform")
      const approved = yield* orgsync(["approve", held.id, "--listen", daemon.url.replace("http://", "")], {
        ORGSYNC_ADMIN_TOKEN: token
      })
      expect(approved.code, approved.stderr).toBe(0)
      yield* until(() => named(sim, "Platform")[0]!.blocked === true, 30_000, daemon.output)
      yield* until(
        () => Effect.runPromise(engineering(daemon.url)).then(({ platform }) => platform.badges.length === 0),
        30_000,
        daemon.output
      )
    }), 120_000)

  it.scopedLive("the page in Chromium shows the held badge on the org and the count of held orgs above it", () =>
    Effect.gen(function*() {
      const { daemon } = yield* holding
      const browser = yield* launch
      const page = yield* Effect.promise(() => browser.newPage())
      yield* Effect.promise(() => page.goto(`${daemon.url}/`))
      yield* Effect.promise(() => item(page, "Engineering").waitFor({ timeout: 10_000 }))
      yield* shows(page, `#tree > ul > li:has(.org-name:text-is("Engineering"))`, "1 held")
      yield* Effect.promise(() => item(page, "Engineering").locator("summary").first().click())
      yield* Effect.promise(() => item(page, "Platform").waitFor({ timeout: 10_000 }))
      const tags = yield* Effect.promise(() => item(page, "Platform").locator(".tag").allInnerTexts())
      expect(tags.map((tag) => tag.trim())).toEqual(["pending", "held"])
      expect(yield* Effect.promise(() => item(page, "Platform").innerText())).toContain("block held for approval")
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), 120_000)
})
