/**
 * A create whose outcome is unknown and that a re-read does not list is awaited, not taken as not made: Code42's
 * listings may lag its writes. Only a re-read `confirmAfter` after it was sent that still does not list it lets
 * the re-plan create it again; a listing that shows it meanwhile adopts it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import * as Journal from "../src/internal/journal.js"
import type { RemoteOrg } from "../src/OrgApi.js"
import type { Plan } from "../src/Plan.js"
import * as StateDb from "../src/StateDb.js"
import { stateDb } from "./tenant-double.js"

const top: RemoteOrg = {
  orgId: 1,
  orgUid: "top",
  orgName: "Tenant",
  orgExtRef: null,
  notes: null,
  active: true,
  blocked: false,
  parentOrgUid: null
}

const made: RemoteOrg = { ...top, orgId: 2, orgUid: "uid-new", orgName: "Brand New", parentOrgUid: "top" }

/** A create of `Brand New` under the top-level org whose answer was lost, journaled now. */
const sendCreate = Effect.flatMap(StateDb.StateDb, (db) =>
  db.journalBegin({
    action: "create",
    path: "Brand New",
    orgUid: null,
    parentOrgUid: "top",
    orgName: "Brand New",
    preexisting: []
  }))

const outcome = Effect.flatMap(StateDb.StateDb, (db) =>
  Effect.map(db.journalSince(new Date(0)), (entries) => entries.map((entry) => entry.outcome)))

describe("settling a create whose outcome is unknown", () => {
  it.effect("awaits it while Code42 does not list it, and adopts it once listed, before the wait is over", () =>
    Effect.gen(function*() {
      yield* sendCreate
      yield* TestClock.adjust(Duration.millis(500))
      const first = yield* Journal.settle([top])
      expect(first.adopted).toBe(0)
      expect(first.awaiting).toEqual([{
        path: "Brand New",
        sentAt: new Date(0),
        retryAt: new Date(Duration.toMillis(Journal.confirmAfter))
      }])
      expect(yield* outcome).toEqual([undefined])
      yield* TestClock.adjust(Duration.seconds(15))
      expect((yield* Journal.settle([top])).awaiting).toHaveLength(1)
      const listed = yield* Journal.settle([top, made])
      expect(listed).toEqual({ unsettled: 1, adopted: 1, awaiting: [] })
      expect(yield* outcome).toEqual(["adopted"])
      const db = yield* StateDb.StateDb
      expect((yield* db.identities).map((identity) => [identity.path, identity.orgUid])).toEqual([["Brand New", "uid-new"]])
    }).pipe(Effect.provide(stateDb())))

  it.effect("takes it as not made only when a re-read confirmAfter after it was sent still does not list it", () =>
    Effect.gen(function*() {
      yield* sendCreate
      yield* TestClock.adjust(Duration.subtract(Journal.confirmAfter, Duration.millis(1)))
      expect((yield* Journal.settle([top])).awaiting).toHaveLength(1)
      expect(yield* outcome).toEqual([undefined])
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* Journal.settle([top])).toEqual({ unsettled: 1, adopted: 0, awaiting: [] })
      expect(yield* outcome).toEqual(["not-applied"])
    }).pipe(Effect.provide(stateDb())))

  it("withholds the awaited create and the changes below it, as an outcome-unknown conflict", () => {
    const create = (path: string) => ({
      action: "create" as const,
      path,
      orgUid: null,
      orgId: null,
      parentPath: "",
      parentOrgUid: null,
      before: null,
      after: { name: path },
      cascadesTo: [],
      cause: "desired" as const
    })
    const plan: Plan = {
      changes: [create("Brand New"), create("Brand New/Child"), create("Brand Newer")],
      conflicts: [],
      unmanaged: [],
      refusal: undefined,
      resolved: [],
      rootOrgUid: "top",
      managedCount: 0,
      restricted: 0
    }
    const awaiting = { path: "Brand New", sentAt: new Date(0), retryAt: new Date(60_000) }
    const withheld = Journal.withhold(plan, [awaiting])
    expect(withheld.changes.map((change) => change.path)).toEqual(["Brand Newer"])
    expect(withheld.conflicts).toEqual([{ kind: "outcome-unknown", path: "Brand New", message: expect.any(String), orgUids: [] }])
    expect(withheld.conflicts[0]!.message).toContain("does not list it yet")
    expect(withheld.conflicts[0]!.message).toContain("1970-01-01T00:01:00.000Z")
  })
})
