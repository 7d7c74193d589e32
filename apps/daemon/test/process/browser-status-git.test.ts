/**
 * The status page's header of a daemon following git, in Chromium: the commit in force ("synced to <sha>", its
 * subject and author), a pushed commit shown without a reload once fetched, and a remote that cannot be
 * reached said in the header with the last good commit still named.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import { workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { launch, shows, text } from "../support/browser.js"
import { authorLine, gitRemote } from "../support/git-repo.js"
import { named, start } from "../support/simulator.js"

const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"

describe("status page header with git", () => {
  it.scopedLive("shows synced to <sha> with the subject and author, follows a pushed commit and says when the remote is gone", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({ "orgs.yaml": orgs }, "Engineering and Sales")
      const first = remote.head()
      const ws = workspace("")
      const daemon = yield* startDaemon([
        "--git-repo", remote.bare, "--git-path", "orgs.yaml", "--state", ws.state, "--url", sim.url, "--interval", "1h"
      ])
      const ready = () => fetch(`${daemon.url}/readyz`).then((r) => r.status)
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)

      const browser = yield* launch
      const page = yield* Effect.promise(() => browser.newPage({ viewport: { width: 390, height: 844 } }))
      yield* Effect.promise(() => page.goto(`${daemon.url}/`))
      expect(yield* text(page, "#commit")).toBe(`synced to ${first.slice(0, 7)} Engineering and Sales (${authorLine})`)
      expect(yield* Effect.promise(() => page.locator("#commit").getAttribute("title"))).toBe(first)
      expect(yield* Effect.promise(() => page.locator("#commit code").innerText())).toBe(first.slice(0, 7))
      expect(yield* Effect.promise(() => page.evaluate("document.scrollingElement.scrollWidth"))).toBeLessThanOrEqual(390)
      yield* Effect.promise(() => page.evaluate("document.body.setAttribute('data-loaded-once', 'yes')"))

      const second = remote.push({ "orgs.yaml": `${orgs}  - name: Support\n` }, "Support, for the help desk")
      yield* Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
      yield* until(() => named(sim, "Support").length === 1, 30_000, daemon.output)
      yield* shows(page, "#commit", `synced to ${second.slice(0, 7)}`)
      expect(yield* text(page, "#commit")).toContain("Support, for the help desk")

      fs.renameSync(remote.bare, `${remote.bare}.away`)
      yield* Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
      yield* until(() => ready().then((code) => code === 503), 30_000, daemon.output)
      yield* shows(page, "#commit", "fetch failed")
      const down = yield* text(page, "#commit")
      expect(down).toContain(`the last good commit ${second.slice(0, 7)} stays in force`)
      expect(yield* Effect.promise(() => page.locator("#commit .bad-text").count())).toBe(1)
      expect(yield* Effect.promise(() => page.locator("body[data-loaded-once=yes]").count())).toBe(1)
    }).pipe(Effect.provide(Layer.merge(NodeContext.layer, FetchHttpClient.layer))), 120_000)
})
