/**
 * A reader that stops early (`orgsync status | head -2`) closes the pipe orgsync prints to: every command then
 * ends quietly, with the exit code it has when all its output is read, and no stack trace.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, orgsyncToClosedPipe, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"

describe("orgsync printing to a closed pipe", () => {
  it.scoped("ends quietly with the exit code it has when its output is read: status, plan, validate, schema, version, --version", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace("orgs:\n  - name: Engineering\n  - name: Sales\n")
      const target = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...target, "--yes"])).code).toBe(0)
      ws.write("orgs:\n  - name: Engineering\n  - name: Sales\n  - name: Support\n")
      const commands = [
        ["status", "--desired", ws.desired, "--state", ws.state],
        ["plan", ...target],
        ["validate", "--desired", ws.desired],
        ["schema"],
        ["version"],
        ["--version"]
      ]
      for (const args of commands) {
        const read = yield* orgsync(args)
        expect(read.stdout, args[0]).not.toBe("")
        const closed = yield* orgsyncToClosedPipe(args)
        expect(closed.stderr, args[0]).not.toMatch(/EPIPE|Error|\n\s+at /)
        expect(closed.code, `${args[0]}: ${closed.stderr}`).toBe(read.code)
      }
    }), 120_000)
})
