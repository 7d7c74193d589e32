/**
 * A state database orgsync cannot read is refused by every command that opens it, in one sentence naming it,
 * and nothing is written to it: one a newer orgsync migrated past the schema this one knows. A row of the run
 * history or of the snapshot that does not decode is only left out of what is shown, with a warning naming it.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import { orgsync, workspace } from "../support/cli.js"
import { statusUntil } from "../support/admin-api.js"
import { startDaemon } from "../support/daemon.js"
import { named, start } from "../support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: S-1\n"

/** Runs a statement on the file as another program would. */
const raw = (file: string, statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
    Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
  )

/** The database's bytes, as a digest, and its write-ahead log's size: a file left as it was, nothing pending. */
const contents = (file: string) => ({
  digest: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
  pending: fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0
})

describe("a state database written by a newer orgsync", () => {
  it.scoped("is refused by plan, plan --offline, status, apply and run, naming it, and left unwritten", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      yield* raw(ws.state, "INSERT INTO effect_sql_migrations (migration_id, name) VALUES (99, 'future')")
      const known = (yield* raw(ws.state, "SELECT max(migration_id) AS id FROM effect_sql_migrations WHERE migration_id < 99"))[0] as {
        id: number
      }
      const before = contents(ws.state)
      const sentence = `orgsync: the state database ${ws.state} was written by a newer orgsync (schema 99, this one ` +
        `knows up to ${known.id}): upgrade orgsync\n`
      for (
        const args of [
          ["plan", ...common, "--url", sim.url],
          ["plan", "--offline", ...common],
          ["status", ...common],
          ["apply", ...common, "--url", sim.url, "--yes"],
          ["run", ...common, "--url", sim.url, "--interval", "5s", "--listen", "127.0.0.1:0"]
        ]
      ) {
        const run = yield* orgsync(args)
        expect(run.code, args.join(" ")).toBe(1)
        expect(run.stderr, args.join(" ")).toContain(sentence)
        expect(contents(ws.state), args.join(" ")).toEqual(before)
      }
      expect(fs.existsSync(`${ws.state}.lock`)).toBe(false)
    }), 180_000)
})

describe("a state database whose newest run cannot be read", () => {
  it.scopedLive("status, plan, apply and the daemon leave that run out with a warning naming its table and id, and go on", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      for (const _ of [1, 2]) expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      const [older, newest] = (yield* raw(ws.state, "SELECT id FROM run ORDER BY id")).map((row) => (row as { id: number }).id)
      const warning = (column: string) =>
        new RegExp(`the state database ${ws.state} holds run #${newest} \\(table run\\) it cannot read \\(${column}: `)
      for (
        const [column, value] of [["counts", "not json"], ["errors", "[1"], ["started_at", "yesterday"], ["result", "maybe"]]
      ) {
        const kept = (yield* raw(ws.state, `SELECT ${column} AS v FROM run WHERE id = ${newest}`))[0] as { v: string }
        yield* raw(ws.state, `UPDATE run SET ${column} = '${value}' WHERE id = ${newest}`)
        const status = yield* orgsync(["status", ...common])
        expect(status.code, status.stderr).toBe(0)
        expect(status.stderr, column).toMatch(warning(column))
        expect(status.stdout, column).toMatch(new RegExp(`^  #${older} apply `, "m"))
        expect(status.stdout, column).toMatch(/^Snapshot: \d+ orgs, taken /m)
        const planned = yield* orgsync(["plan", ...common, "--url", sim.url])
        expect(planned.code, `${column}: ${planned.stderr}`).toBe(0)
        if (column !== "result") yield* raw(ws.state, `UPDATE run SET ${column} = '${kept.v}' WHERE id = ${newest}`)
      }
      const applied = yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])
      expect(applied.code, applied.stderr).toBe(0)
      expect(applied.stderr).toMatch(warning("result"))

      const daemon = yield* startDaemon([...common, "--url", sim.url, "--interval", "1h"])
      yield* statusUntil(daemon, (s) => s.recentPasses.length > 0)
      const view = yield* Effect.promise(() =>
        fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ runs: ReadonlyArray<{ id: number }>; runsError: string }>)
      )
      expect(view.runs.map((run) => run.id)).toContain(older)
      expect(view.runs.map((run) => run.id)).not.toContain(newest)
      expect(view.runsError).toMatch(warning("result"))
      expect(daemon.output()).toMatch(warning("result"))
    }), 180_000)

  it.scoped("status shows the runs and says the snapshot cannot be read when its time does not decode", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      yield* raw(ws.state, "UPDATE meta SET value = 'garbage' WHERE key = 'snapshot_taken_at'")
      const status = yield* orgsync(["status", ...common])
      expect(status.code, status.stderr).toBe(0)
      expect(status.stderr).toContain(
        `orgsync: warning: the state database ${ws.state} holds the snapshot's time (table meta, key snapshot_taken_at) it cannot read`
      )
      expect(status.stdout).toContain("Snapshot: cannot be read (the next apply or pass records a new one)")
      expect(status.stdout).toMatch(/^  #\d+ apply /m)
    }), 180_000)
})

describe("a state database with an older run or a snapshot org it cannot read", () => {
  it.scoped("status shows what it can, with a warning naming each row it could not read; apply still works", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      for (const _ of [1, 2]) expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      const [older, newer] = (yield* raw(ws.state, "SELECT id FROM run ORDER BY id")).map((row) => (row as { id: number }).id)
      const sales = named(sim, "Sales")[0]!.orgUid
      yield* raw(ws.state, `UPDATE run SET result = 'maybe' WHERE id = ${older}`)
      yield* raw(ws.state, `UPDATE snapshot_org SET active = 7 WHERE org_uid = '${sales}'`)

      const status = yield* orgsync(["status", ...common])
      expect(status.code, status.stderr).toBe(0)
      expect(status.stderr).toContain(
        `orgsync: warning: the state database ${ws.state} holds run #${older} (table run) it cannot read (result: `
      )
      expect(status.stderr).toContain(
        `orgsync: warning: the state database ${ws.state} holds the snapshot's org ${sales} (table snapshot_org) it cannot read (active: `
      )
      expect(status.stdout).toMatch(new RegExp(`^  #${newer} apply `, "m"))
      expect(status.stdout).not.toMatch(new RegExp(`^  #${older} `, "m"))
      expect(status.stdout).toMatch(/^Snapshot: \d+ orgs, taken .*; 1 org left out, which cannot be read$/m)
      expect(status.stdout).toContain("Pending: unknown, the snapshot cannot be read whole")

      expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
    }), 180_000)
})

describe("text the state database holds", () => {
  it.scoped("status escapes stored errors as plans do: no line of its own, no escape code, no direction mark", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state]
      expect((yield* orgsync(["apply", ...common, "--url", sim.url, "--yes"])).code).toBe(0)
      const errors = JSON.stringify(["line1\nfake: #99 run converged \u001b[31mRED \u202Eevil\u00a0x"])
      yield* raw(ws.state, `UPDATE run SET errors = '${errors}'`)
      const status = yield* orgsync(["status", ...common])
      expect(status.code, status.stderr).toBe(0)
      expect(status.stdout).toContain("      line1\\u000Afake: #99 run converged \\u001B[31mRED \\u202Eevil\\u00A0x\n")
      expect(status.stdout).not.toMatch(/^fake/m)
      expect(status.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u00a0\u202e]/)
    }), 180_000)
})
