/**
 * `orgsync run --git-repo` against a hostile or careless repository and webhook: a desired path that is a
 * symbolic link (to a file on the server, outside the repository), a `git.path` that climbs out of the
 * repository, a force-pushed commit that does not validate, and a flood of `POST /api/refresh`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { orgsync, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { gitRemote } from "../support/git-repo.js"
import { byHand, named, start } from "../support/simulator.js"

const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"

interface Status {
  readonly git: {
    readonly sync: string
    readonly summary: string
    readonly sha: string | null
    readonly error: string | null
  } | null
  readonly desired: { readonly valid: boolean | null }
}

const follow = (bare: string, gitPath: string, sim: { url: string }) =>
  Effect.gen(function*() {
    const ws = workspace("")
    const daemon = yield* startDaemon([
      "--git-repo", bare, "--git-path", gitPath, "--state", ws.state, "--url", sim.url, "--interval", "1h"
    ])
    const status = () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>)
    const refresh = () => Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
    const ready = () => fetch(`${daemon.url}/readyz`).then((r) => r.status)
    return { ws, daemon, status, refresh, ready }
  })

describe("orgsync run following a hostile repository", () => {
  it.scopedLive("a desired file that is a symbolic link out of the repository is never read: the last good commit stays", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const outside = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Outside\n")
      const remote = yield* gitRemote({ "orgs.yaml": orgs, "teams/eng.yaml": "orgs:\n  - name: Platform\n" })
      const { daemon, ready, refresh, status } = yield* follow(remote.bare, "orgs.yaml", sim)
      const good = remote.head()
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)

      const linked = remote.pushLink("orgs.yaml", outside.desired, "orgs.yaml from the server's disk")
      yield* refresh()
      yield* until(() => ready().then((code) => code === 503), 30_000, daemon.output)
      const shown = yield* Effect.promise(status)
      expect(shown.git).toMatchObject({ sha: good })
      expect(shown.git?.error).toContain(`orgs.yaml is a symbolic link at ${linked.slice(0, 7)}`)
      expect(named(sim, "Outside")).toHaveLength(0)
    }), 120_000)

  it.scopedLive("a folder holding a symbolic link out of the repository is never read", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const outside = workspace("parent: Engineering\norgs:\n  - name: Outside\n")
      const remote = yield* gitRemote({ "org/base.yaml": orgs })
      const { daemon, ready, refresh, status } = yield* follow(remote.bare, "org", sim)
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)

      remote.pushLink("org/teams/outside.yaml", outside.desired, "a team file from the server's disk")
      yield* refresh()
      yield* until(() => ready().then((code) => code === 503), 30_000, daemon.output)
      expect((yield* Effect.promise(status)).git?.error).toContain("org/teams/outside.yaml is a symbolic link")
      expect(named(sim, "Outside")).toHaveLength(0)
    }), 120_000)

  it.scoped("a git.path that climbs out of the repository is refused at start, saying so", () =>
    Effect.gen(function*() {
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const ws = workspace(orgs)
      for (const climbing of ["../orgs.yaml", "teams/../../x", "/etc/orgsync/orgs.yaml"]) {
        const run = yield* orgsync([
          "run", "--git-repo", remote.bare, "--git-path", climbing, "--state", ws.state, "--url", "http://127.0.0.1:9",
          "--listen", "127.0.0.1:0"
        ])
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr).toContain(`git.path ${climbing}: a file or folder inside the repository, relative to its top`)
      }
      expect(fs.existsSync(path.join(ws.dir, "state.db.git"))).toBe(false)
    }), 120_000)

  it.scopedLive("a force-pushed commit that does not validate keeps the last good commit in force and the daemon not ready", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const { daemon, ready, refresh, status } = yield* follow(remote.bare, "orgs.yaml", sim)
      const good = remote.head()
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)

      const rewritten = remote.forcePush({ "orgs.yaml": "orgs:\n  - name: Engineering\n    status: gone\n" }, "rewritten")
      yield* refresh()
      yield* until(() => ready().then((code) => code === 503), 30_000, daemon.output)
      expect((yield* Effect.promise(status)).git).toMatchObject({
        sync: "invalid",
        sha: good,
        summary: `${rewritten.slice(0, 7)} does not validate; the last good commit ${good.slice(0, 7)} stays in force`
      })
      expect(yield* Effect.promise(() => fetch(`${daemon.url}/readyz`).then((r) => r.text()))).toContain(
        "the desired files do not validate"
      )
      expect(named(sim, "Sales")).toHaveLength(1)
    }), 120_000)

  it.scopedLive("after a restart, a head that does not validate or lacks the file leaves the last good commit in force: drift is healed from it", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const first = yield* follow(remote.bare, "orgs.yaml", sim)
      const good = remote.head()
      yield* until(() => first.ready().then((code) => code === 200), 30_000, first.daemon.output)
      first.daemon.process.kill("SIGTERM")
      yield* Effect.promise(() => first.daemon.exited)

      const changes = [
        { "orgs.yaml": "orgs:\n  - name: Engineering\n    status: gone\n" },
        { "orgs.yaml": null }
      ]
      for (const change of changes) {
        const head = remote.push(change, "a bad commit")
        yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Sales")[0]!.orgId}`)
        const daemon = yield* startDaemon([
          "--git-repo", remote.bare, "--git-path", "orgs.yaml", "--state", first.ws.state, "--url", sim.url,
          "--interval", "1h"
        ])
        yield* until(() => named(sim, "Sales")[0]!.blocked === false, 30_000, daemon.output)
        const status = yield* Effect.promise(() => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<Status>))
        expect(status.git, head).toMatchObject({ sha: good })
        const ready = yield* Effect.promise(() => fetch(`${daemon.url}/readyz`).then(async (r) => [r.status, await r.text()] as const))
        expect(ready[0]).toBe(503)
        expect(ready[1]).toMatch(/do not validate|no file or folder orgs\.yaml/)
        daemon.process.kill("SIGTERM")
        yield* Effect.promise(() => daemon.exited)
      }
    }), 180_000)

  it.scopedLive("a flood of POST /api/refresh is answered at once and makes a pass every few seconds, not one per request", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const { daemon, ready } = yield* follow(remote.bare, "orgs.yaml", sim)
      yield* until(() => ready().then((code) => code === 200), 30_000, daemon.output)
      const asked = () => daemon.output().split("\n").filter((line) => line.includes("refresh asked")).length
      const started = Date.now()
      for (let batch = 0; batch < 6; batch++) {
        const codes = yield* Effect.promise(() =>
          Promise.all(Array.from({ length: 50 }, () => fetch(`${daemon.url}/api/refresh`, { method: "POST" }).then((r) => r.status)))
        )
        expect(new Set(codes)).toEqual(new Set([202]))
      }
      const seconds = (Date.now() - started) / 1000
      // The first refresh passes at once; those of the next 5 seconds make one more pass, and so on.
      expect(asked()).toBeGreaterThanOrEqual(1)
      expect(asked()).toBeLessThanOrEqual(2 + Math.floor(seconds / 5))
    }), 120_000)
})
