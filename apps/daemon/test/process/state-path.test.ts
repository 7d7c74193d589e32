/**
 * `--state` on paths that are not an orgsync state database: refused with a clear message, and the thing at
 * the path left exactly as it was; an impossible path fails at once; a missing folder is created by a command
 * that writes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { runOrgsync } from "../support/orgsync-process.js"
import { start } from "../support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n"

/** Mode and content, to show that nothing changed. */
const fingerprint = (file: string) => ({ mode: fs.statSync(file).mode, content: fs.readFileSync(file, "utf8") })

const status = (state: string, desired: string) => orgsync(["status", "--state", state, "--desired", desired])

describe.concurrent("--state on a path that is not a state database", () => {
  it.scoped("a plain text file is refused and left as it was", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const notes = path.join(ws.dir, "notes.txt")
      fs.writeFileSync(notes, "my notes\n", { mode: 0o644 })
      const before = fingerprint(notes)
      const run = yield* status(notes, ws.desired)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`${notes} is not an orgsync state database`)
      expect(fingerprint(notes)).toEqual(before)
      const offline = yield* orgsync(["plan", "--offline", "--state", notes, "--desired", ws.desired])
      expect(offline.code).toBe(1)
      expect(offline.stderr).toContain("not an orgsync state database")
      expect(fingerprint(notes)).toEqual(before)
    }), 120_000)

  it.scoped("a symbolic link to a file is refused, the file left as it was", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const target = path.join(ws.dir, "target.txt")
      fs.writeFileSync(target, "keep me\n", { mode: 0o640 })
      const link = path.join(ws.dir, "state.db")
      fs.symlinkSync(target, link)
      const before = fingerprint(target)
      const run = yield* status(link, ws.desired)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("not an orgsync state database")
      expect(fingerprint(target)).toEqual(before)
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
    }), 120_000)

  it.scoped("/dev/null is refused and keeps its mode", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const mode = fs.statSync("/dev/null").mode
      const run = yield* status("/dev/null", ws.desired)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("/dev/null is not a regular file")
      expect(fs.statSync("/dev/null").mode).toBe(mode)
    }), 120_000)

  it.scoped("a folder is refused", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const run = yield* status(ws.dir, ws.desired)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(`${ws.dir} is a folder`)
      expect(fs.readdirSync(ws.dir)).toEqual(["orgs.yaml"])
    }), 120_000)

  it.scoped("an empty file is refused", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const empty = path.join(ws.dir, "empty.db")
      fs.writeFileSync(empty, "", { mode: 0o644 })
      const run = yield* status(empty, ws.desired)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("not an orgsync state database")
      expect(fingerprint(empty)).toEqual({ mode: 0o100644, content: "" })
    }), 120_000)

  it.scoped("a path under /proc fails at once", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      // The writer makes the folder; a reader never creates anything.
      const run = yield* runOrgsync(
        ["apply", "--yes", "--state", "/proc/x/s.db", "--desired", ws.desired, "--url", "http://127.0.0.1:9"],
        credentials,
        { deadlineMillis: 60_000 }
      )
      expect(run.stopped).toBeUndefined()
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("cannot create the folder /proc/x")
    }), 120_000)

  it.scoped("a missing folder is created, 0700, with the database 0600 in it", () =>
    Effect.gen(function*() {
      const ws = workspace(desiredYaml)
      const state = path.join(ws.dir, "new", "deeper", "state.db")
      const sim = yield* start()
      const run = yield* orgsync(["apply", "--yes", "--state", state, "--desired", ws.desired, "--url", sim.url])
      expect(run.code, run.stderr).toBe(0)
      expect(fs.statSync(state).mode & 0o777).toBe(0o600)
      expect(fs.statSync(path.dirname(state)).mode & 0o777).toBe(0o700)
      expect(fs.statSync(path.join(ws.dir, "new")).mode & 0o777).toBe(0o700)
      const again = yield* status(state, ws.desired)
      expect(again.code, again.stderr).toBe(0)
    }), 120_000)
})
