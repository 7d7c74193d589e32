/**
 * `drift: report` from the command line, as a process against the simulator: `apply` leaves a hand change in
 * place while writing what the files change on the same org, and measures later drift from what it wrote.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, workspace } from "../support/cli.js"
import { byHand, named, start } from "../support/simulator.js"

const salesYaml = (extRef: string) => `orgs:\n  - name: Sales\n    extRef: ${extRef}\n    notes: n0\n`

describe("apply --drift report", () => {
  it.scoped("a field orgsync wrote while drift was pending on the org is its own: set back by the files, it is written", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(salesYaml("S-0"))
      const apply = ["apply", "--yes", "--drift", "report", "--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(apply)).code).toBe(0)
      const guid = named(sim, "Sales")[0]!.orgGuid
      yield* byHand(sim, "PUT", `/api/v3/orgs/${guid}`, { orgName: "Sales", orgExtRef: "S-0", notes: "by hand" })

      ws.write(salesYaml("S-1"))
      const second = yield* orgsync(apply)
      expect(second.code).toBe(1)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-1", notes: "by hand" })

      // The files set extRef back: orgsync writes it; only the notes stay reported.
      ws.write(salesYaml("S-0"))
      const third = yield* orgsync(apply)
      expect(named(sim, "Sales")[0]).toMatchObject({ orgExtRef: "S-0", notes: "by hand" })
      expect(third.stdout).toMatch(/~ update\s+Sales\s+notes: "by hand" → "n0" \(drift\)\n/)
      expect(third.stdout).toContain("Applied 1 change, 0 failed")
      expect(third.code).toBe(1)
    }))
})
