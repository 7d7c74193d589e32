/**
 * What `orgsync validate` prints: likely mistakes in sibling names as warnings (the file still validates), and
 * at most 100 errors for one file, then how many more there are.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, workspace } from "../support/cli.js"

describe.concurrent("orgsync validate output", () => {
  it.scoped("warns of sibling names that differ only by case or Unicode normalization, with file:line:column", () =>
    Effect.gen(function*() {
      const ws = workspace(
        "orgs:\n  - name: Engineering\n    children:\n      - name: Platform\n      - name: platform\n" +
          "  - name: Caf\u00e9s\n  - name: Cafe\u0301s\n"
      )
      const run = yield* orgsync(["validate", "--desired", ws.desired])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stderr).toContain(
        `${ws.desired}:5:15: warning: name "platform" differs from its sibling "Platform" (at 4:15) only by case`
      )
      expect(run.stderr).toContain(
        `${ws.desired}:7:11: warning: name "Cafe\u0301s" differs from its sibling "Caf\u00e9s" (at 6:11) only by Unicode normalization`
      )
      expect(run.stdout).toContain("valid, 5 orgs")
    }), 120_000)

  it.scoped("prints at most 100 errors of one file, then the count of the rest", () =>
    Effect.gen(function*() {
      const ws = workspace("orgs:\n" + Array.from({ length: 150 }, (_, i) => `  - name: Team ${i}\n    colour: blue\n`).join(""))
      const run = yield* orgsync(["validate", "--desired", ws.desired])
      expect(run.code).toBe(1)
      const lines = run.stderr.trimEnd().split("\n")
      expect(lines.filter((line) => line.startsWith(`${ws.desired}:`))).toHaveLength(101)
      expect(lines.at(-1)).toBe(`${ws.desired}: 50 more errors not shown`)
    }), 120_000)
})
