/**
 * Small facts kept in the state database as JSON (the refusals Code42 gave, what the daemon notified): a value
 * that does not decode is one sentence naming the database and the key, never a schema's dump. A plan or an
 * apply stops on unreadable refusals; the daemon goes on without what it notified before, and says so.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { orgsync, workspace } from "../support/cli.js"
import { startDaemon, until } from "../support/daemon.js"
import { start } from "../support/simulator.js"

const desiredYaml = "orgs:\n  - name: Engineering\n  - name: Sales\n    extRef: S-1\n"

/** Sets a meta row as another program would (to damage it on purpose). */
const setMeta = (file: string, key: string, value: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`INSERT INTO meta (key, value) VALUES (${key}, ${value})
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`).pipe(
    Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
  )

const metaValue = (file: string, key: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ value: string }>`SELECT value FROM meta WHERE key = ${key}`).pipe(
    Effect.map((rows) => rows[0]?.value),
    Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
  )

describe("JSON settings kept in the state database", () => {
  it.scoped("unreadable refusals stop plan and apply with one sentence naming the database and the key", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["nope", `refusals: Unexpected token 'o', "nope" is not valid JSON`],
        ["[1", "refusals: Expected ',' or ']' after array element in JSON at position 2"],
        ["[1]", "refusals[0]: unexpected 1"],
        ['[{"key":1}]', "refusals[0].key: Expected string, actual 1"],
        ["{}", "refusals: unexpected {}"]
      ]
      for (const [value, reason] of cases) {
        yield* setMeta(ws.state, "refusals", value)
        for (const args of [["plan", ...common], ["apply", ...common, "--yes"]]) {
          const run = yield* orgsync(args)
          expect(run.code, `${args[0]} ${value}`).toBe(1)
          expect(run.stderr, `${args[0]} ${value}`).toBe(
            `orgsync: the state database ${ws.state} holds a setting it cannot read (${reason}): ` +
              "restore it from a copy; moving it aside to start afresh would lose what it holds beside the history: a " +
              "daemon's suspension, the identities that tie the desired orgs to Code42's, and the approvals and " +
              "rejections of held changes\n"
          )
        }
      }
    }), 120_000)

  it.scopedLive("an unreadable record of what was notified is one warning, and the daemon goes on and records it afresh", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const common = ["--desired", ws.desired, "--state", ws.state, "--url", sim.url]
      expect((yield* orgsync(["apply", ...common, "--yes"])).code).toBe(0)
      yield* setMeta(ws.state, "notified", "[1")
      const daemon = yield* startDaemon([...common, "--interval", "1h", "--notify", "http://127.0.0.1:9/hook"])
      yield* until(() => daemon.output().includes("notified"), 30_000, daemon.output)
      const warnings = daemon.output().split("\n").filter((line) => line.includes("notified"))
      expect(warnings, daemon.output()).toHaveLength(1)
      expect(warnings[0]).toContain(
        `the state database ${ws.state} holds a setting it cannot read (notified: Expected ',' or ']' ` +
          "after array element in JSON at position 2): what was notified before is unknown, so a notice may be " +
          "told again"
      )
      expect(warnings[0]).not.toMatch(/ReadonlySet|└─/)
      // Written afresh after the first pass, while the daemon goes on.
      const recorded = () =>
        Effect.runPromise(metaValue(ws.state, "notified")).then((value) => {
          try {
            return typeof JSON.parse(value ?? "").troubled === "boolean"
          } catch {
            return false
          }
        })
      yield* until(recorded, 30_000, daemon.output)
      expect(yield* Effect.promise(() => fetch(`${daemon.url}/healthz`).then((r) => r.ok))).toBe(true)
      daemon.process.kill("SIGTERM")
      expect(yield* Effect.promise(() => daemon.exited)).toBe(0)
    }), 120_000)
})
