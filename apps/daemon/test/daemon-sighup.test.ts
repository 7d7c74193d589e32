/**
 * SIGHUP to a running daemon: it re-reads the settings file and the desired files, says so, starts a pass,
 * and keeps running.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, workspace } from "./support/cli.js"
import { until } from "./support/daemon.js"
import { spawnOrgsync } from "./support/orgsyncProcess.js"
import { named, start } from "./support/simulator.js"

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
