/**
 * Symbolic links in a desired folder: a link back to a folder above it is a loop, reported and never walked;
 * a folder reached by many links is read once, whatever the number of paths to it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, workspace } from "../support/cli.js"
import { runOrgsync, spawnOrgsync } from "../support/orgsync-process.js"
import { start } from "../support/simulator.js"

const validate = (desired: string) => runOrgsync(["validate", "--desired", desired], {}, { deadlineMillis: 100_000 })

describe.concurrent("symbolic links in a desired folder", () => {
  it.scopedLive("a link loop is reported at the link, not walked", () =>
    Effect.gen(function*() {
      const ws = workspace("")
      const folder = path.join(ws.dir, "desired")
      fs.mkdirSync(path.join(folder, "teams"), { recursive: true })
      fs.writeFileSync(path.join(folder, "orgs.yaml"), "orgs:\n  - name: Engineering\n")
      fs.writeFileSync(path.join(folder, "teams", "sales.yaml"), "orgs:\n  - name: Sales\n")
      fs.symlinkSync("..", path.join(folder, "teams", "up"))
      fs.symlinkSync(".", path.join(folder, "self"))
      const run = yield* validate(folder)
      expect(run.stopped).toBeUndefined()
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`${path.join(folder, "self")}:1:1: a symbolic link to ${folder}, a folder that holds it`)
      expect(run.stderr).toContain(`${path.join(folder, "teams", "up")}:1:1: a symbolic link to ${folder}`)
      expect(run.stderr.split("\n").filter((line) => line.includes("symbolic link"))).toHaveLength(2)
    }), 120_000)

  it.scopedLive("a deep fan-out of links to the same folders is read once per folder", () =>
    Effect.gen(function*() {
      const ws = workspace("")
      const folder = path.join(ws.dir, "desired")
      const depth = 30
      // level i holds two links to level i + 1: 2^30 paths if links were followed blindly.
      for (let i = 0; i <= depth; i++) fs.mkdirSync(path.join(folder, `level${i}`), { recursive: true })
      for (let i = 0; i < depth; i++) {
        fs.symlinkSync(`../level${i + 1}`, path.join(folder, `level${i}`, "a"))
        fs.symlinkSync(`../level${i + 1}`, path.join(folder, `level${i}`, "b"))
      }
      fs.writeFileSync(path.join(folder, `level${depth}`, "orgs.yaml"), "orgs:\n  - name: Engineering\n")
      const run = yield* validate(folder)
      expect(run.stopped).toBeUndefined()
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("a second path to the folder")
      expect(run.stderr).not.toContain("duplicate name")
    }), 120_000)

  it.scopedLive("the daemon reports a link loop and keeps serving", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("")
      const folder = path.join(ws.dir, "desired")
      fs.mkdirSync(folder)
      fs.writeFileSync(path.join(folder, "orgs.yaml"), "orgs:\n  - name: Engineering\n")
      fs.symlinkSync(".", path.join(folder, "self"))
      const daemon = yield* spawnOrgsync(
        ["run", "--desired", folder, "--state", ws.state, "--url", sim.url, "--listen", "127.0.0.1:0"],
        credentials,
        { deadlineMillis: 110_000 }
      )
      const [, url] = yield* daemon.waitFor(/status page on (http:\/\/[^\s"]+?)\/?"/)
      yield* daemon.waitFor(/a symbolic link to .*a loop, not followed/)
      const health = yield* Effect.promise(() => fetch(`${url}/healthz`))
      expect(health.status).toBe(200)
    }), 120_000)
})
