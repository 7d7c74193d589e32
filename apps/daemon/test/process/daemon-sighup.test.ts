/**
 * SIGHUP to a running daemon: it re-reads the settings file and the desired files, says so, starts a pass,
 * and keeps running; the policy (`destructive`, `drift`) and the `notify` webhooks take effect at once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, workspace } from "../support/cli.js"
import { until } from "../support/daemon.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import { byHand, named, start } from "../support/simulator.js"
import { receiver } from "../support/webhook.js"

interface PolicyStatus {
  readonly policy: { readonly destructive: string; readonly drift: string }
  readonly held: ReadonlyArray<unknown>
}

describe("orgsync run and SIGHUP", () => {
  it.scopedLive("re-reads the settings and the desired files, passes, and keeps running", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const other = path.join(ws.dir, "other.yaml")
      fs.writeFileSync(other, "orgs:\n  - name: Engineering\n  - name: Support\n")
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, `desired: ${ws.desired}\ninterval: 1h\n`)
      const child = yield* spawnOrgsync(
        ["run", "--config", config, "--state", ws.state, "--listen", "127.0.0.1:0"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 110_000 }
      )
      yield* child.waitFor(/message=reconciled/)
      expect(named(sim, "Support")).toHaveLength(0)

      fs.writeFileSync(config, `desired: ${other}\ninterval: 1h\n`)
      child.kill("SIGHUP")
      yield* child.waitFor(/SIGHUP.*re-read/)
      yield* until(() => named(sim, "Support").length === 1, 60_000, child.stdout)

      child.kill("SIGTERM")
      const exited = yield* child.exited
      expect(exited.code, exited.stderr).toBe(0)
      expect(fs.existsSync(`${ws.state}.lock`)).toBe(false)
    }), 120_000)
})

describe("orgsync run: SIGHUP and the policy, drift and notify settings", () => {
  it.scopedLive("destructive, drift and notify take effect on SIGHUP and are logged; a setting only a restart applies is named", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const first = yield* receiver()
      const second = yield* receiver()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n    status: deactivated\n  - name: Support\n")
      const config = path.join(ws.dir, "orgsync.yaml")
      const settings = (destructive: string, drift: string, hook: string, rateLimit: number) =>
        fs.writeFileSync(
          config,
          `desired: ${ws.desired}\ninterval: 1h\ndestructive: ${destructive}\ndrift: ${drift}\n` +
            `notify:\n  - ${hook}\nrateLimit: ${rateLimit}\n`
        )
      settings("confirm", "heal", `${first.url}/first`, 20)
      const child = yield* spawnOrgsync(
        ["run", "--config", config, "--state", ws.state, "--listen", "127.0.0.1:0"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 110_000 }
      )
      const url = `http://${(yield* child.waitFor(/status page on http:\/\/([\d.:]+)\//))[1]}`
      const status = () => fetch(`${url}/api/status`).then((r) => r.json() as Promise<PolicyStatus>)
      yield* until(() => status().then((s) => s.held.length === 1), 30_000, child.stdout)
      yield* until(() => first.received().some((r) => r.body.event === "held"), 30_000, child.stdout)
      expect(named(sim, "Sales")[0]!.active).toBe(true)

      settings("auto", "report", `${second.url}/second`, 10)
      child.kill("SIGHUP")
      const reread = (yield* child.waitFor(/^.*message="settings re-read".*$/m))[0]
      expect(reread).toContain("destructive=auto")
      expect(reread).toContain("drift=report")
      expect(reread).toContain(`notify=${second.url}`)
      // Logged right after the settings it re-read.
      yield* child.waitFor(/SIGHUP: these changed settings take effect only after a restart: rateLimit\b/)
      // destructive: auto now: the deactivation held before is applied.
      yield* until(() => named(sim, "Sales")[0]!.active === false, 30_000, child.stdout)
      yield* until(() => status().then((s) => s.policy.destructive === "auto" && s.held.length === 0), 30_000, child.stdout)
      expect((yield* Effect.promise(status)).policy).toEqual({ destructive: "auto", drift: "report" })

      // drift: report now: a hand change is shown and told to the new webhook only, and left.
      yield* byHand(sim, "PUT", `/api/v1/OrgBlock/${named(sim, "Support")[0]!.orgId}`)
      yield* Effect.promise(() => fetch(`${url}/api/refresh`, { method: "POST" }))
      yield* until(() => second.received().some((r) => r.body.event === "drift"), 30_000, child.stdout)
      expect(named(sim, "Support")[0]!.blocked).toBe(true)
      expect(first.received().map((r) => r.body.event)).toEqual(["held"])

      child.kill("SIGTERM")
      expect((yield* child.exited).code).toBe(0)
    }), 120_000)

  it.scopedLive("a settings file that no longer validates on SIGHUP keeps the settings in force, and says why", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n    status: deactivated\n")
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, `desired: ${ws.desired}\ninterval: 1h\ndestructive: never\n`)
      const child = yield* spawnOrgsync(
        ["run", "--config", config, "--state", ws.state, "--listen", "127.0.0.1:0"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 110_000 }
      )
      const url = `http://${(yield* child.waitFor(/status page on http:\/\/([\d.:]+)\//))[1]}`
      yield* child.waitFor(/message=reconciled/)
      fs.writeFileSync(config, `desired: ${ws.desired}\ninterval: 1h\ndestructive: sometimes\nnotify:\n  - ftp://example.com/x\n`)
      child.kill("SIGHUP")
      yield* child.waitFor(/SIGHUP: .*the settings in force stay/)
      const status = yield* Effect.promise(() => fetch(`${url}/api/status`).then((r) => r.json() as Promise<PolicyStatus>))
      expect(status.policy.destructive).toBe("never")
      expect(named(sim, "Sales")[0]!.active).toBe(true)
      child.kill("SIGTERM")
      expect((yield* child.exited).code).toBe(0)
    }), 120_000)
})
