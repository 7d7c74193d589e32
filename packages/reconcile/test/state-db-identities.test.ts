/**
 * The identity mapping as a pass reads it: statement by statement, whole and in path order whatever its size,
 * and sharing the strings of what the pass holds without changing a single value read.
 */
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { DesiredOrg } from "../src/Desired.js"
import type { Fields } from "../src/Identity.js"
import type { RemoteOrg } from "../src/OrgApi.js"
import * as StateDb from "../src/StateDb.js"

const tempPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-identities-")), "state.db")

const writing = <A, E>(file: string, body: Effect.Effect<A, E, StateDb.StateDb | StateDb.StateReader>) =>
  body.pipe(Effect.provide(StateDb.layer(file)), Effect.provide(NodeContext.layer))

type Saved = Parameters<StateDb.StateDb["Type"]["saveIdentities"]>[0][number]

const applied = (n: number): Required<Fields> => ({
  name: `Team ${n}`,
  extRef: n % 2 === 0 ? `EXT-${n}` : null,
  notes: n % 3 === 0 ? null : `notes ${n}`,
  status: n % 5 === 0 ? "blocked" : n % 7 === 0 ? "deactivated" : "active"
})

/** Paths that sort differently as text than as numbers, some nested, some with spaces and accents. */
const identity = (n: number): Saved => ({
  path: n % 4 === 0 ? `Région ${n % 97}/Team ${n}` : `Team ${n}`,
  orgUid: String(1_000_000_000 + n),
  orgId: n % 11 === 0 ? undefined : n,
  orgGuid: n % 13 === 0 ? undefined : `guid-${n}`,
  ...(n % 6 === 0 ? {} : { applied: applied(n) })
})

const remote = (saved: Saved, orgGuid: string | undefined): RemoteOrg => ({
  orgId: saved.orgId,
  orgUid: saved.orgUid,
  orgGuid,
  orgName: saved.applied?.name ?? "",
  orgExtRef: null,
  notes: null,
  status: "Active",
  active: true,
  blocked: false,
  parentOrgId: null,
  parentOrgUid: null,
  parentOrgGuid: null
})

const desired = (saved: Saved, fields: Pick<DesiredOrg, "name" | "extRef" | "notes">): DesiredOrg => ({
  ...fields,
  path: saved.path,
  status: "active",
  uid: undefined,
  previously: [],
  protect: false,
  children: [],
  location: { file: "orgs.yaml", line: 1, column: 1 }
})

describe("the identity mapping", () => {
  it.effect("is read whole and in path order when it holds more identities than a statement reads", () =>
    Effect.gen(function*() {
      const file = tempPath()
      const saved = Array.from({ length: 4_501 }, (_, i) => identity(i + 1))
      const read = yield* writing(file, Effect.gen(function*() {
        const db = yield* StateDb.StateDb
        yield* db.saveIdentities(saved)
        return yield* db.identities
      }))
      const expected = [...saved].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
      expect(read).toEqual(expected.map((one) => ({ ...one, applied: one.applied })))
    }))

  it.effect("read sharing what the pass holds, holds the same values as read alone, fields in their order", () =>
    Effect.gen(function*() {
      const file = tempPath()
      const saved = Array.from({ length: 2_300 }, (_, i) => identity(i + 1))
      // Listed orgs with the same guid, another guid, or not listed; desired orgs with the same fields, others.
      const orgs = new Map(saved.filter((_, i) => i % 3 !== 2).map((one, i) => [
        one.orgUid,
        remote(one, i % 4 === 0 ? `other-${one.orgGuid}` : one.orgGuid)
      ]))
      const wanted = new Map(saved.filter((_, i) => i % 5 !== 4).map((one, i) => [
        one.path,
        desired(one, i % 2 === 0 ? { name: `Renamed ${i}`, extRef: undefined, notes: "changed" } : applied(i + 1))
      ]))
      const held: StateDb.Held = { org: (orgUid) => orgs.get(orgUid), desired: (at) => wanted.get(at) }
      const { alone, sharing } = yield* writing(file, Effect.gen(function*() {
        const db = yield* StateDb.StateDb
        yield* db.saveIdentities(saved)
        return { alone: yield* db.identities, sharing: yield* db.identitiesSharing(held) }
      }))
      expect(sharing).toHaveLength(saved.length)
      expect(sharing).toEqual(alone)
      expect(JSON.stringify(sharing)).toBe(JSON.stringify(alone))
    }))

  it.effect("a row past the first statement that orgsync did not write is an error naming the column", () =>
    Effect.gen(function*() {
      const file = tempPath()
      yield* writing(file, Effect.flatMap(StateDb.StateDb, (db) =>
        db.saveIdentities(Array.from({ length: 2_500 }, (_, i) => identity(i + 1)))))
      yield* Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql`UPDATE identity SET applied = '{"status":"paused"}' WHERE path = (SELECT max(path) FROM identity)`).pipe(
          Effect.provide(SqliteClient.layer({ filename: file, disableWAL: true }))
        )
      const error = yield* Effect.flip(writing(file, Effect.flatMap(StateDb.StateReader, (db) => db.identities)))
      expect(error.message).toContain(`the state database ${file} holds the identity mapping it cannot read`)
      expect(error.message).toContain("paused")
    }))
})
