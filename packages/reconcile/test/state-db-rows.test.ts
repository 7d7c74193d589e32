/**
 * Rows decoded, not cast: a row the state database cannot read is an error naming the database and what is
 * wrong with it, never a defect; a damaged file gives SQLite's reason; times come from the Clock.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option, Schema, TestClock } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Rows from "../src/internal/stateDb/rows.js"
import * as StateDb from "../src/StateDb.js"

const tempPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-rows-")), "state.db")

const writing = <A, E>(file: string, body: Effect.Effect<A, E, StateDb.StateDb | StateDb.StateReader>) =>
  body.pipe(Effect.provide(StateDb.layer(file)), Effect.provide(NodeContext.layer))

const reading = <A, E>(file: string, body: Effect.Effect<A, E, StateDb.StateReader>) =>
  body.pipe(Effect.provide(StateDb.layerReadOnly(file, { missing: "fail" })), Effect.provide(NodeContext.layer))

const raw = (file: string, statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(
    Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
  )

/** A database with one journal entry, one finished run and one identity. */
const filled = (file: string) =>
  writing(file, Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const run = yield* db.runStart("apply", false)
    yield* db.runFinish(run, "converged", { applied: 1 }, [])
    yield* db.journalBegin({ action: "block", path: "Sales", orgUid: "11", parentOrgUid: null, orgName: null, preexisting: [] })
    yield* db.saveIdentities([{ path: "Sales", orgUid: "11", orgId: 1, orgGuid: "g1" }])
  }))

describe("state rows", () => {
  it.effect("a journal row whose JSON is broken is an error naming the database and the column", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* filled(file)
      yield* raw(file, "UPDATE journal SET preexisting = '[\"11\",'")
      for (const open of [reading, writing] as const) {
        const error = yield* Effect.flip(open(file, Effect.flatMap(StateDb.StateReader, (db) => db.unsettled)))
        expect(error._tag).toBe("StateDbError")
        expect(error.message).toMatch(new RegExp(`^the state database ${file} holds the journal it cannot read \\(preexisting: `))
      }
    }))

  it.effect("a run whose result is not one orgsync records is left out of the recent runs, and named for a person", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* filled(file)
      yield* raw(file, "UPDATE run SET result = 'exploded'")
      const { recent, readable } = yield* reading(file, Effect.gen(function*() {
        const db = yield* StateDb.StateReader
        return { recent: yield* db.recentRuns(5), readable: yield* db.readableRuns(5) }
      }))
      expect(recent).toEqual([])
      expect(readable.unreadable).toEqual([expect.stringContaining("cannot read (result: ")])
      expect(readable.unreadable[0]).toContain("\"exploded\"")
    }))

  it.effect("read for a person, the runs and snapshot orgs that decode are kept, and each that does not is named", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* filled(file)
      yield* writing(file, Effect.gen(function*() {
        const db = yield* StateDb.StateDb
        yield* db.runFinish(yield* db.runStart("apply", false), "converged", { applied: 0 }, [])
        const org = { orgUid: "11", orgName: "Sales", orgExtRef: null, notes: null, active: true, blocked: false, parentOrgUid: null }
        yield* db.saveSnapshot({ takenAt: new Date(0), orgs: [org, { ...org, orgUid: "12", orgName: "Legal" }] })
      }))
      yield* raw(file, "UPDATE run SET result = 'exploded' WHERE id = (SELECT min(id) FROM run)")
      yield* raw(file, "UPDATE snapshot_org SET blocked = 5 WHERE org_uid = '12'")
      const { runs, snapshot } = yield* reading(file, Effect.gen(function*() {
        const db = yield* StateDb.StateReader
        return { runs: yield* db.readableRuns(5), snapshot: yield* db.readableSnapshot }
      }))
      expect(runs.value.map((run) => run.id)).toEqual([2])
      expect(runs.unreadable).toEqual([
        expect.stringMatching(new RegExp(`^the state database ${file} holds run #1 \\(table run\\) it cannot read \\(result: .*"exploded"\\)$`))
      ])
      expect(snapshot.value.pipe(Option.map((s) => s.orgs.map((org) => org.orgName)))).toEqual(Option.some(["Sales"]))
      expect(snapshot.unreadable).toEqual([
        expect.stringMatching(new RegExp(`^the state database ${file} holds the snapshot's org 12 \\(table snapshot_org\\) it cannot read \\(blocked: `))
      ])
    }))

  it.effect("an identity whose recorded fields are not JSON is an error, not a crash", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* filled(file)
      yield* raw(file, "UPDATE identity SET applied = 'not json'")
      const error = yield* Effect.flip(reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.identities)))
      expect(error.message).toContain(`the state database ${file} holds the identity mapping it cannot read (applied: `)
    }))

  it.effect("a damaged file gives SQLite's reason and is left as it was", () =>
    Effect.gen(function*() {
      const file = tempPath()
      // An SQLite header, then nothing SQLite can read.
      fs.writeFileSync(file, Buffer.concat([Buffer.from("SQLite format 3\u0000"), Buffer.alloc(4080, 7)]), { mode: 0o600 })
      const before = fs.readFileSync(file)
      const read = yield* Effect.flip(reading(file, Effect.flatMap(StateDb.StateReader, (db) => db.recentRuns(1))))
      expect(read.message).toBe(`cannot open the state database ${file}: file is not a database`)
      const written = yield* Effect.flip(writing(file, Effect.flatMap(StateDb.StateDb, (db) => db.recentRuns(1))))
      expect(written.message).toBe(`cannot open the state database ${file}: file is not a database`)
      expect(fs.readFileSync(file).equals(before)).toBe(true)
    }))

  it.effect("records times from the Clock", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* TestClock.setTime(Date.parse("2030-05-01T12:00:00.000Z"))
      const runs = yield* writing(file, Effect.gen(function*() {
        const db = yield* StateDb.StateDb
        const run = yield* db.runStart("apply", false)
        yield* TestClock.adjust("90 seconds")
        yield* db.runFinish(run, "converged", {}, [])
        yield* db.journalBegin({ action: "block", path: "Sales", orgUid: "11", parentOrgUid: null, orgName: null, preexisting: [] })
        return { runs: yield* db.recentRuns(1), journal: yield* db.unsettled }
      }))
      expect(runs.runs[0]).toMatchObject({
        startedAt: new Date("2030-05-01T12:00:00.000Z"),
        finishedAt: new Date("2030-05-01T12:01:30.000Z")
      })
      expect(runs.journal[0]!.createdAt).toEqual(new Date("2030-05-01T12:01:30.000Z"))
    }))
})

describe("identity rows read without the schema", () => {
  const decodeRows = Schema.decodeUnknownEither(Schema.Array(Rows.IdentityRow))
  const row = (fields: Record<string, unknown>) => ({
    path: "Sales/EMEA",
    org_uid: "1007759454961904673",
    org_id: 42,
    org_guid: "guid-42",
    applied: null,
    ...fields
  })
  const appliedTexts = [
    null,
    "{}",
    "{\"name\":\"EMEA\",\"extRef\":null,\"notes\":\"n\",\"status\":\"blocked\"}",
    "{\"status\":\"active\",\"name\":\"EMEA\",\"notes\":null}",
    "{\"name\":\"EMEA\",\"colour\":\"red\"}",
    "{\"status\":\"paused\"}",
    "{\"name\":7}",
    "{\"extRef\":false}",
    "[]",
    "null",
    "\"EMEA\"",
    "not json",
    "{\"name\":\"a\"",
    7
  ]
  const rows = [
    ...appliedTexts.map((applied) => row({ applied })),
    row({ org_id: null, org_guid: "" }),
    row({ org_id: 1.5 }),
    row({ org_id: "42" }),
    row({ org_guid: null }),
    row({ path: 7 }),
    "a row"
  ]

  it("reads every row as the schema does (fields in its order), and leaves any other to the schema", () => {
    for (const one of rows) {
      const decoded = decodeRows([one])
      const quick = Rows.quickIdentities([one])
      const expected = Either.isRight(decoded) ? decoded.right.map(Rows.storedIdentity) : undefined
      expect([one, quick]).toEqual([one, expected])
      // Compared as recorded: the order of the fields of `applied` is part of it.
      expect([one, JSON.stringify(quick)]).toEqual([one, JSON.stringify(expected)])
    }
    expect(Rows.quickIdentities(rows.slice(0, 5))).toHaveLength(5)
    expect(Rows.quickIdentities([rows[0], rows[5]])).toBeUndefined()
  })
})
