/**
 * A reviewed plan (`apply --plan`) and the settings file (`--config`) are regular files: a pipe, which would
 * keep orgsync waiting for a writer that may never come, is refused at once, as the desired files are.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

const bounded = (run: ReturnType<typeof orgsync>) =>
  run.pipe(Effect.timeoutFail({ duration: "30 seconds", onTimeout: () => new Error("orgsync did not end within 30 seconds") }))

describe("files of the wrong kind", () => {
  it.scopedLive("apply --plan and --config naming a pipe with no writer are refused, naming the file", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n")
      const fifo = path.join(ws.dir, "plan.fifo")
      execFileSync("mkfifo", [fifo])
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const plan = yield* bounded(orgsync(["apply", ...common, "--plan", fifo, "--yes"]))
      expect(plan.code, plan.stderr).toBe(1)
      expect(plan.stderr).toContain(`cannot read the plan file ${fifo}: not a regular file`)
      const config = yield* bounded(orgsync(["plan", ...common, "--config", fifo]))
      expect(config.code, config.stderr).toBe(1)
      expect(config.stderr).toContain(`settings file ${fifo}: cannot be read: not a regular file`)
    }), 90_000)
})
