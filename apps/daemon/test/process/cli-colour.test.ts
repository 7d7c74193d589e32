/**
 * Colour for a person at a terminal: plan rows by what they do (+ green, ~ yellow, - red) and refusals in red,
 * on a pseudo-terminal only; never through a pipe, into an --out file, with --no-color, NO_COLOR or TERM=dumb.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"
import { onTerminal, orgsyncLine, quote } from "../support/terminal.js"

// Against the test tenant (Acme: Engineering/Platform, Sales S-0): a create, an update and a block.
const desiredYaml = `
orgs:
  - name: Engineering
    children:
      - name: Platform
        status: blocked
  - name: Sales
    extRef: S-1
  - name: Support
`

const escape = "\u001b["

/**
 * `orgsync ...args` on a terminal, in the folder `dir`: the plans of these tests read no state database (there
 * is none at the default path of `dir`).
 */
const onTerminalRun = (dir: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  onTerminal(`cd ${quote(dir)} && ${orgsyncLine(args)}`, { ...credentials, ...env }).pipe(
    Effect.flatMap((terminal) => terminal.exited)
  )

describe("colour", () => {
  it.scopedLive("plan rows and a refusal are coloured on a terminal, and plain through a pipe", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const args = ["plan", "--desired", ws.desired, "--url", sim.url]

      const coloured = yield* onTerminalRun(ws.dir, args)
      expect(coloured.code, coloured.screen).toBe(2)
      expect(coloured.screen).toContain(`${escape}32m+ create`)
      expect(coloured.screen).toContain(`${escape}33m~ update`)
      expect(coloured.screen).toContain(`${escape}31m- block`)

      const piped = yield* orgsync(args, {}, credentials, ws.dir)
      expect(piped.code).toBe(2)
      expect(piped.stdout).toMatch(/\+ create\s+Support/)
      expect(piped.stdout + piped.stderr).not.toContain(escape)

      ws.write("orgs: []\n")
      const refused = yield* onTerminalRun(ws.dir, args)
      expect(refused.code, refused.screen).toBe(1)
      expect(refused.screen).toContain(`${escape}31mRefused (empty-desired)`)
      const refusedPiped = yield* orgsync(args, {}, credentials, ws.dir)
      expect(refusedPiped.stdout).toContain("Refused (empty-desired)")
      expect(refusedPiped.stdout + refusedPiped.stderr).not.toContain(escape)
    }), { timeout: 120_000 })

  it.scopedLive("no colour on a terminal with --no-color, NO_COLOR or TERM=dumb, nor in an --out file", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const args = ["plan", "--desired", ws.desired, "--url", sim.url]
      for (const [extra, env] of [[["--no-color"], {}], [[], { NO_COLOR: "1" }], [[], { TERM: "dumb" }]] as const) {
        const run = yield* onTerminalRun(ws.dir, [...args, ...extra], env)
        expect(run.code, `${extra} ${JSON.stringify(env)}: ${run.screen}`).toBe(2)
        expect(run.screen).toMatch(/\+ create\s+Support/)
        expect(run.screen).not.toContain(escape)
      }
      const out = path.join(ws.dir, "plan.txt")
      const written = yield* onTerminalRun(ws.dir, [...args, "--out", out])
      expect(written.code, written.screen).toBe(2)
      expect(fs.readFileSync(out, "utf8")).toMatch(/\+ create\s+Support/)
      expect(fs.readFileSync(out, "utf8")).not.toContain(escape)
    }), { timeout: 120_000 })
})
