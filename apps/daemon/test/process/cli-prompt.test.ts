/**
 * The apply question as a person at a terminal meets it: orgsync on a pseudo-terminal, its stdout sent to a
 * file, the answer typed at the terminal.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { named, start } from "../support/simulator.js"
import { onTerminal, orgsyncLine, quote } from "../support/terminal.js"

const desiredYaml = "orgs:\n  - name: Support\n  - name: Legal\n"

const question = /Apply these changes\? Only 'yes' will be accepted: /

describe("the apply question", () => {
  it.scopedLive("is asked on the terminal while stdout goes to a file; \"no\" exits 1 and is recorded declined", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const out = path.join(ws.dir, "out.txt")
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      const terminal = yield* onTerminal(`${orgsyncLine(["apply", ...common])} > ${quote(out)}`, credentials)
      yield* terminal.waitFor(question)
      // The plan is on the terminal (coloured there), where the question is, and on stdout (the file, plain);
      // the question is not.
      expect(terminal.screen()).toMatch(/\u001b\[32m\+ create\u001b\[0m\s+Support/)
      expect(fs.readFileSync(out, "utf8")).not.toMatch(question)
      terminal.type("no\n")
      const exited = yield* terminal.exited
      expect(exited.code, exited.screen).toBe(1)
      expect(exited.screen).toContain("Nothing applied.")
      expect(fs.readFileSync(out, "utf8")).toMatch(/\+ create\s+Support/)
      expect(fs.readFileSync(out, "utf8")).not.toContain("\u001b")
      expect(named(sim, "Support")).toEqual([])

      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.stdout).toMatch(/#1 apply \S+ declined/)
    }), { timeout: 90_000 })

  it.scopedLive("Ctrl-C at the question exits 130 and records the run interrupted", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const terminal = yield* onTerminal(
        orgsyncLine(["apply", "--desired", ws.desired, "--state", ws.state, "--url", sim.url]),
        credentials
      )
      yield* terminal.waitFor(question)
      // A moment later, as a person answers: by then orgsync is waiting at the terminal for the answer.
      yield* Effect.sleep("1 second")
      terminal.type("\u0003")
      const exited = yield* terminal.exited.pipe(Effect.timeout("20 seconds"))
      expect(exited.code, exited.screen).toBe(130)
      expect(named(sim, "Support")).toEqual([])

      const status = yield* orgsync(["status", "--state", ws.state, "--desired", ws.desired])
      expect(status.stdout).toMatch(/#1 apply \S+ interrupted/)
    }), { timeout: 90_000 })
})
