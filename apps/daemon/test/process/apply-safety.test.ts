/**
 * The promises of `plan` and `apply` that guard against wrong writes, as a user meets them: the built binary
 * as a process, the real simulator on loopback (behind a proxy where a test needs a window), real state files.
 * A refused plan exits 1 and says so first; a reviewed plan above the threshold applies with --force; later
 * rounds only finish what was reviewed; transient 5xx answers are retried until the apply converges.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Simulator } from "@c42/simulator"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { passOnce, startDaemon, until } from "../support/daemon.js"
import { proxy } from "../support/proxy.js"
import { byHand, named, start } from "../support/simulator.js"

interface JsonPlan {
  readonly refusal?: { readonly reason: string; readonly message: string }
  readonly changes: ReadonlyArray<{ action: string; path: string }>
}

/** Twelve orgs under the top-level one: enough for the 25% threshold to apply. */
const twelve: Simulator.Seed = {
  org: {
    orgName: "Acme",
    children: Array.from({ length: 12 }, (_, i) => ({ orgName: `Org${String(i).padStart(2, "0")}` }))
  }
}

/** The twelve, the first `blocked` of them blocked. */
const twelveDesired = (blocked: number) =>
  "orgs:\n" + Array.from({ length: 12 }, (_, i) =>
    `  - name: Org${String(i).padStart(2, "0")}\n` + (i < blocked ? "    status: blocked\n" : "")).join("")

describe("a refused plan", () => {
  it.scoped("exits 1 from plan and apply, the refusal first in every format", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs: []\n")
      const connection = ["--desired", ws.desired, "--url", sim.url]
      const common = [...connection, "--state", ws.state]
      // Plans with no state database (none at the default path of the workspace).
      const plan = (args: ReadonlyArray<string>) => orgsync(["plan", ...connection, ...args], {}, credentials, ws.dir)

      const text = yield* plan([])
      expect(text.code, text.stderr).toBe(1)
      expect(text.stdout.startsWith("Refused (empty-desired):"), text.stdout).toBe(true)
      expect(text.stdout.indexOf("Refused")).toBeLessThan(text.stdout.indexOf("Unmanaged"))
      expect(text.stderr).toContain("refused (empty-desired)")

      const markdown = yield* plan(["--format", "markdown"])
      expect(markdown.code).toBe(1)
      const refusedAt = markdown.stdout.indexOf("> **Refused (empty-desired):**")
      expect(refusedAt, markdown.stdout).toBeGreaterThan(0)
      expect(refusedAt).toBeLessThan(markdown.stdout.indexOf("**Unmanaged**"))

      const json = yield* plan(["--format", "json"])
      expect(json.code).toBe(1)
      expect(Object.keys(JSON.parse(json.stdout))[1]).toBe("refusal")

      const applied = yield* orgsync(["apply", ...common, "--yes"])
      expect(applied.code).toBe(1)
      expect(applied.stdout.trimStart().startsWith("Refused (empty-desired):"), applied.stdout).toBe(true)

      ws.write("root: \"404\"\norgs:\n  - name: Sales\n")
      const missing = yield* plan([])
      expect(missing.code).toBe(1)
      expect(missing.stdout.startsWith("Refused (root-missing):"), missing.stdout).toBe(true)
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(1)
    }), 120_000)

  it.scoped("above the threshold: plan writes it and exits 1, apply --plan --force applies it", () =>
    Effect.gen(function*() {
      const sim = yield* start({ seed: twelve })
      const ws = workspace(twelveDesired(4))
      const connection = ["--desired", ws.desired, "--url", sim.url]
      const common = [...connection, "--state", ws.state]
      const reviewed = path.join(ws.dir, "reviewed.json")

      // The plan to review, before any apply: no state database (none at the default path of the workspace).
      const planned = yield* orgsync(["plan", ...connection, "--format", "json", "--out", reviewed], {}, credentials, ws.dir)
      expect(planned.code, planned.stderr).toBe(1)
      const written = JSON.parse(fs.readFileSync(reviewed, "utf8")) as JsonPlan
      expect(written.refusal?.reason).toBe("threshold")
      expect(written.changes).toHaveLength(4)

      const unforced = yield* orgsync(["apply", ...common, "--plan", reviewed])
      expect(unforced.code).toBe(1)
      expect(unforced.stdout).toContain("Refused (threshold)")
      expect(sim.orgs().filter((org) => org.blocked)).toHaveLength(0)

      const forced = yield* orgsync(["apply", ...common, "--plan", reviewed, "--force"])
      expect(forced.code, forced.stdout + forced.stderr).toBe(0)
      expect(sim.orgs().filter((org) => org.blocked).map((org) => org.orgName)).toEqual([
        "Org00",
        "Org01",
        "Org02",
        "Org03"
      ])
    }), 120_000)

  it.scoped("the daemon goes past the threshold only with --force, and says so once", () =>
    Effect.gen(function*() {
      const sim = yield* start({ seed: twelve })
      const ws = workspace(twelveDesired(4))
      const daemon = yield* startDaemon([
        "--desired",
        ws.desired,
        "--state",
        ws.state,
        "--url",
        sim.url,
        "--interval",
        "1h",
        "--force"
      ])
      yield* until(() => sim.orgs().filter((org) => org.blocked).length === 4, 15_000, daemon.output)
      expect(daemon.output()).toMatch(/level=WARN .*force is on/)
      // Said once, as the daemon starts, not at every pass.
      yield* passOnce(daemon)
      yield* passOnce(daemon)
      expect(daemon.output().split("\n").filter((line) => line.includes("force is on"))).toHaveLength(1)
    }), 60_000)
})

describe("apply after a review", () => {
  it.scoped("applies only the reviewed changes: an org made by hand meanwhile is reported, not pruned", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(
        "prune: deactivate\norgs:\n  - name: Engineering\n    children:\n      - name: Platform\n  - name: Sales\n" +
          "  - name: Support\n"
      )
      const reviewed = path.join(ws.dir, "reviewed.json")
      const state = ["--desired", ws.desired, "--state", ws.state]
      // The plan to review, before any apply: no state database (none at the default path of the workspace).
      const planned = yield* orgsync(
        ["plan", "--desired", ws.desired, "--url", sim.url, "--format", "json", "--out", reviewed],
        {},
        credentials,
        ws.dir
      )
      expect(planned.code, planned.stderr).toBe(2)

      // Someone creates an org in the console while the reviewed create is on its way.
      let madeByHand = false
      const url = yield* proxy(sim.url, {
        before: async (request) => {
          if (request.method !== "POST" || !/\/orgs?$/i.test(request.url.split("?")[0]!) || madeByHand) return
          madeByHand = true
          await Effect.runPromise(byHand(sim, "POST", "/api/v1/Org", { orgName: "Intruder" }))
        }
      })
      const applied = yield* orgsync(["apply", ...state, "--url", url, "--plan", reviewed])
      expect(madeByHand).toBe(true)
      expect(named(sim, "Support")).toHaveLength(1)
      expect(named(sim, "Intruder")).toMatchObject([{ active: true }])
      expect(applied.code).toBe(1)
      expect(applied.stderr).toContain("not reviewed, so not applied: deactivate Intruder")
    }), 60_000)
})

describe("apply against a flaky server", () => {
  it.scoped("converges at 40% 503 answers, every time", () =>
    Effect.gen(function*() {
      for (let run = 0; run < 4; run++) {
        const sim = yield* start({ randomSeed: 100 + run })
        const ws = workspace(
          "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n      - name: Tools\n" +
            "  - name: Sales\n    extRef: S-1\n  - name: Support\n  - name: Legal\n    status: blocked\n"
        )
        const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
        sim.setFaults({ faultRate: 0.4, faultStatuses: [503] })
        const applied = yield* orgsync(["apply", ...common, "--yes"])
        sim.setFaults({ faultRate: 0 })
        expect(applied.code, `run ${run}: ${applied.stdout}${applied.stderr}`).toBe(0)
        const again = yield* orgsync(["plan", ...common])
        expect(again.code, again.stdout).toBe(0)
        expect(named(sim, "Tools")).toHaveLength(1)
        expect(named(sim, "Legal")).toMatchObject([{ blocked: true }])
      }
      // A create refused last, with no create after it to show the listing current, waits out the 15 s window.
    }), 300_000)
})
