import * as Reactivity from "@effect/experimental/Reactivity"
import { NodeContext } from "@effect/platform-node"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { it } from "@effect/vitest"
import { Org } from "@c42/core"
import { Effect, Option } from "effect"
import { PCGRandom } from "effect/Utils"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { expect } from "vitest"
import * as StateDb from "../src/StateDb.js"

const tempPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-state-")), "nested", "state.db")

const org = (n: number, parent?: number) =>
  new Org.Org({
    orgId: n,
    orgUid: `10000000000000000${n}`,
    orgGuid: `guid-${n}`,
    orgName: `Org ${n}`,
    orgExtRef: n % 2 === 0 ? `EXT-${n}` : null,
    notes: null,
    status: "Active",
    active: true,
    blocked: n % 3 === 0,
    parentOrgId: parent ?? null,
    parentOrgUid: parent === undefined ? null : `10000000000000000${parent}`,
    parentOrgGuid: parent === undefined ? null : `guid-${parent}`
  })

const withDb = <A, E>(file: string, body: Effect.Effect<A, E, StateDb.StateDb>) =>
  body.pipe(Effect.provide(StateDb.layer(file)), Effect.provide(NodeContext.layer))

it.effect("creates the database 0600 in a 0700 folder and migrates it once", () =>
  Effect.gen(function*() {
    const file = tempPath()
    yield* withDb(file, Effect.flatMap(StateDb.StateDb, (db) => db.setMeta("k", "v")))
    const value = yield* withDb(file, Effect.flatMap(StateDb.StateDb, (db) => db.getMeta("k")))
    expect(value).toEqual(Option.some("v"))
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
  }))

it.effect("keeps the snapshot in list order and replaces it whole", () =>
  Effect.gen(function*() {
    const file = tempPath()
    const orgs = [org(1), org(2, 1), org(3, 1), org(4, 3)]
    const takenAt = new Date("2026-11-28T10:00:00.000Z")
    const loaded = yield* withDb(file, Effect.gen(function*() {
      const db = yield* StateDb.StateDb
      expect(yield* db.snapshot).toEqual(Option.none())
      yield* db.saveSnapshot({ takenAt: new Date(0), orgs: [org(9)] })
      yield* db.saveSnapshot({ takenAt, orgs })
      return yield* db.snapshot
    }))
    const snap = Option.getOrThrow(loaded)
    expect(snap.takenAt).toEqual(takenAt)
    expect(snap.orgs.map((o) => [o.orgId, o.orgExtRef, o.blocked, o.parentOrgUid])).toEqual(
      orgs.map((o) => [o.orgId, o.orgExtRef, o.blocked, o.parentOrgUid])
    )
  }))

it.effect("saves a snapshot again, changed in any way, to what a whole save of it holds", () =>
  Effect.gen(function*() {
    const random = new PCGRandom(2_611)
    const file = tempPath()
    const rows = (at: string) =>
      Effect.scoped(Effect.gen(function*() {
        const sql = yield* SqliteClient.make({ filename: at, readonly: true })
        return yield* sql.unsafe("SELECT * FROM snapshot_org ORDER BY position")
      }).pipe(Effect.provide(Reactivity.layer)))
    let orgs = Array.from({ length: 300 }, (_, i) => org(i + 1, i === 0 ? undefined : 1 + random.integer(i)))
    yield* withDb(file, Effect.gen(function*() {
      const db = yield* StateDb.StateDb
      for (let round = 0; round < 12; round++) {
        yield* db.saveSnapshot({ takenAt: new Date(round), orgs })
        const whole = tempPath()
        yield* withDb(whole, Effect.flatMap(StateDb.StateDb, (other) => other.saveSnapshot({ takenAt: new Date(round), orgs })))
        expect(yield* rows(file)).toEqual(yield* rows(whole))
        // The next listing: some orgs renamed, blocked or deactivated, some gone, some new, some moved in the order.
        orgs = orgs.flatMap((o) => {
          const roll = random.number()
          if (roll < 0.05) return []
          if (roll < 0.15) return [new Org.Org({ ...o, orgName: `${o.orgName} renamed`, blocked: !o.blocked })]
          if (roll < 0.2) return [new Org.Org({ ...o, active: false, status: "Deactivated", orgExtRef: null })]
          return [o]
        })
        if (random.number() < 0.5) orgs.push(org(1_000 + round, 1))
        if (random.number() < 0.3) orgs.reverse()
      }
    }))
  }))

it.effect("keeps what was applied when an identity is saved again for the same org, not for another", () =>
  withDb(tempPath(), Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const applied = { name: "Sales", extRef: null, notes: null, status: "active" as const }
    yield* db.saveIdentities([{ path: "Sales", orgUid: "11", orgId: 1, orgGuid: "g1", applied }])
    yield* db.saveIdentities([{ path: "Sales", orgUid: "11", orgId: 1, orgGuid: "g1" }])
    expect((yield* db.identities)[0]!.applied).toEqual(applied)
    yield* db.saveIdentities([{ path: "Sales", orgUid: "12", orgId: 2, orgGuid: "g2" }])
    expect(yield* db.identities).toEqual([{ path: "Sales", orgUid: "12", orgId: 2, orgGuid: "g2", applied: undefined }])
    yield* db.forgetIdentities(["Sales"])
    expect(yield* db.identities).toEqual([])
  })))

it.effect("journals writes until they are settled", () =>
  withDb(tempPath(), Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const first = yield* db.journalBegin({
      action: "create", path: "Sales/EMEA", orgUid: null, parentOrgUid: "11", orgName: "EMEA", preexisting: ["13"]
    })
    const second = yield* db.journalBegin({
      action: "block", path: "Sales", orgUid: "11", parentOrgUid: null, orgName: null, preexisting: []
    })
    yield* db.journalSettle(second, "done")
    const open = yield* db.unsettled
    expect(open.map((e) => [e.id, e.action, e.path, e.parentOrgUid, e.orgName, e.preexisting])).toEqual([
      [first, "create", "Sales/EMEA", "11", "EMEA", ["13"]]
    ])
    yield* db.journalSettle(first, "adopted", { orgUid: "14" })
    expect(yield* db.unsettled).toEqual([])
  })))

it.effect("records runs newest first", () =>
  withDb(tempPath(), Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const a = yield* db.runStart("apply", false)
    yield* db.runFinish(a, "converged", { applied: 3 }, [])
    const b = yield* db.runStart("plan", true)
    yield* db.runFinish(b, "pending", { pending: 2 }, ["conflict: X"])
    const runs = yield* db.recentRuns(10)
    expect(runs.map((r) => [r.id, r.kind, r.dryRun, r.result, r.counts, r.errors])).toEqual([
      [b, "plan", true, "pending", { pending: 2 }, ["conflict: X"]],
      [a, "apply", false, "converged", { applied: 3 }, []]
    ])
    expect(yield* db.recentRuns(1)).toHaveLength(1)
  })))

it.effect("records the git commit a run reconciled", () =>
  withDb(tempPath(), Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const commit = { sha: "1a2b3c4d".padEnd(40, "0"), author: "Ada Admin <ada@example.com>", subject: "Support" }
    const a = yield* db.runStart("run", false, commit)
    yield* db.runFinish(a, "converged", {}, [])
    const b = yield* db.runStart("apply", false)
    const runs = yield* db.recentRuns(10)
    expect(runs.map((r) => [r.id, r.commit])).toEqual([[b, null], [a, commit]])
  })))
