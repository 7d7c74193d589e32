/**
 * Settings a person can get wrong, each refused (or warned of) in one clear sentence naming the setting.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "./support/cli.js"
import { spawnOrgsync, stackTrace } from "./support/orgsyncProcess.js"
import { start } from "./support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n"

describe.concurrent("settings", () => {
  it.scoped("an interval below 5 seconds is refused", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["run", "--desired", ws.desired, "--state", ws.state, "--url", "http://127.0.0.1:9", "--interval", "1s"])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("interval 1s is too short: at least 5s")
    }), 120_000)

  it.scoped("api: v9 in a settings file is refused with the setting's name", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const config = path.join(ws.dir, "orgsync.yaml")
      fs.writeFileSync(config, "api: v9\n")
      const run = yield* orgsync(["plan", "--config", config, "--desired", ws.desired, "--state", ws.state, "--url", "http://127.0.0.1:9"])
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`${config}: api v9: expected v1 or v3`)
    }), 120_000)

  it.scoped("a missing CODE42_URL is one human sentence", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(["plan", "--desired", ws.desired, "--state", ws.state])
      expect(run.code).toBe(1)
      expect(run.stderr.trim()).toBe(
        "orgsync: no Code42 URL: pass --url, set CODE42_URL, or set url in the settings file"
      )
      expect(run.stderr).not.toMatch(stackTrace)
    }), 120_000)

  it.scopedLive("--listen on an address that is not loopback logs that the page is unauthenticated", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const child = yield* spawnOrgsync(
        ["run", "--desired", ws.desired, "--state", ws.state, "--listen", "0.0.0.0:0"],
        { ...credentials, CODE42_URL: sim.url },
        { deadlineMillis: 100_000 }
      )
      const [line] = yield* child.waitFor(/.*unauthenticated.*/)
      expect(line).toContain("level=WARN")
      expect(line).toContain("org names")
      child.kill("SIGTERM")
      expect((yield* child.exited).code).toBe(0)
    }), 120_000)

  it.scoped("bare orgsync prints its usage and exits 2", () =>
    Effect.gen(function*() {
      const run = yield* orgsync([])
      expect(run.code).toBe(2)
      expect(run.stdout).toContain("USAGE")
      expect(run.stdout).toContain("validate")
    }), 120_000)
})
