/**
 * A SIGTERM or SIGINT while orgsync is still loading its command line (a dynamic import that takes a while on a
 * busy machine) ends it like one during the command: a normal exit with the contract's code (143 for SIGTERM,
 * 130 for SIGINT, 0 for the daemon), never a death by the signal, and no write. The signal is sent at staggered moments after the
 * executable asks for its command line (a loader probe tells when), so that some land while it loads and some
 * just after it took over.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import { credentials, workspace } from "../support/cli.js"
import { spawnOrgsync } from "../support/orgsync-process.js"
import { writes } from "../support/request-log.js"
import { start } from "../support/simulator.js"

const probe = fileURLToPath(new URL("../support/loading-probe.mjs", import.meta.url))

const desiredYaml = "orgs:\n" + Array.from({ length: 10 }, (_, i) => `  - name: Team ${i}\n`).join("")

/**
 * `orgsync COMMAND` (`apply --yes` unless told), sent `signal` `delay` ms after it asks for its command line.
 * Code42 answers every call after half a second, so no write can be on its way by the time of the signal.
 */
const interrupted = (signal: NodeJS.Signals, delay: number, command: ReadonlyArray<string> = ["apply", "--yes"]) =>
  Effect.scoped(Effect.gen(function*() {
    const sim = yield* start({ faults: { latencyMs: 500 } })
    const ws = workspace(desiredYaml)
    const child = yield* spawnOrgsync(
      [...command, "--desired", ws.desired, "--state", ws.state],
      { ...credentials, CODE42_URL: sim.url, NODE_OPTIONS: `--import=${probe}` },
      { deadlineMillis: 90_000 }
    )
    yield* child.waitFor(/^loading-probe: main$/m)
    yield* Effect.sleep(delay)
    child.kill(signal)
    const exited = yield* child.exited
    return {
      exited,
      writes: writes(sim.requests()),
      began: fs.existsSync(ws.state),
      report: `${signal} after ${delay} ms: exit ${exited.code ?? exited.signal}; ${exited.stdout}${exited.stderr}`.trim()
    }
  }))

describe("a signal while orgsync starts", () => {
  for (const [signal, code, count] of [["SIGTERM", 143, 20], ["SIGINT", 130, 6]] as const) {
    it.live(`${signal} at any moment of the start exits ${code}, never by the signal, and writes nothing`, () =>
      Effect.gen(function*() {
        const delays = Array.from({ length: count }, (_, i) => Math.round((i * 300) / (count - 1)))
        const runs = yield* Effect.forEach(delays, (delay) => interrupted(signal, delay), { concurrency: 2 })
        const otherwise = runs.filter((run) =>
          run.exited.stopped !== undefined || run.exited.signal !== null || run.exited.code !== code
        )
        expect(otherwise.map((run) => run.report)).toEqual([])
        expect(runs.flatMap((run) => run.writes)).toEqual([])
        const whileLoading = runs.filter((run) => !run.began).length
        console.log(`${signal}: ${whileLoading} of ${count} came before the command opened its state database`)
      }), 300_000)
  }

  it.live("the daemon, stopped while it loads, exits 0 as from a clean stop, and writes nothing", () =>
    Effect.gen(function*() {
      // At once: the command line is still loading.
      const run = yield* interrupted("SIGTERM", 0, ["run", "--listen", "127.0.0.1:0"])
      expect(run.exited.signal, run.report).toBeNull()
      expect(run.exited.code, run.report).toBe(0)
      expect(run.writes).toEqual([])
      expect(run.began).toBe(false)
    }), 120_000)

  it.live("the daemon, stopped at any moment of its start, exits 0 as from a clean stop", () =>
    Effect.gen(function*() {
      const delays = Array.from({ length: 13 }, (_, i) => i * 50)
      const runs = yield* Effect.forEach(
        delays,
        (delay) => interrupted("SIGTERM", delay, ["run", "--listen", "127.0.0.1:0"]),
        { concurrency: 2 }
      )
      expect(runs.filter((run) => run.exited.signal !== null || run.exited.code !== 0).map((run) => run.report)).toEqual([])
    }), 300_000)
})
