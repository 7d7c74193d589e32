/**
 * The identity mapping after a pass: which remote org each desired path resolved to, and the values orgsync
 * applied (what drift is measured against), field by field: a field Code42 holds as the files ask is applied,
 * and a field that differs (a change still pending, or drift left in place under `drift: report`) keeps the
 * value recorded before.
 */
import { Effect } from "effect"
import { byPath, type DesiredState } from "../Desired.js"
import type { Fields } from "../Identity.js"
import type { RemoteOrg } from "../OrgApi.js"
import type { Plan } from "../PlanModel.js"
import { statusOf } from "../RemoteTree.js"
import { type Held, StateDb, type StoredIdentity } from "../StateDb.js"

/** What a pass holds, for a read of the identity mapping to share its strings (see `Held`). */
export const sharing = (desired: DesiredState, remote: ReadonlyArray<RemoteOrg>): Held => {
  const orgs = new Map<string, RemoteOrg>()
  for (const org of remote) orgs.set(org.orgUid, org)
  const paths = byPath(desired)
  return { org: (orgUid) => orgs.get(orgUid), desired: (path) => paths.get(path) }
}

const keys = ["name", "extRef", "notes", "status"] as const

/** `""` and null alike: Code42 holds an empty text as nothing. */
const same = (a: string | null | undefined, b: string | null | undefined) => (a || null) === (b || null)

/** What Code42 holds of a field the files ask for. */
const held = (org: RemoteOrg, key: typeof keys[number]): string | null =>
  key === "name" ? org.orgName.trim() : key === "extRef" ? org.orgExtRef ?? null : key === "notes" ? org.notes ?? null : statusOf(org)

/**
 * The applied values of an org with something still pending: those the files ask for where Code42 holds them,
 * the ones recorded before elsewhere; `undefined` when no field is known.
 */
const partlyApplied = (want: Required<Fields>, org: RemoteOrg, before: Fields | undefined): Fields | undefined => {
  const applied: Record<string, unknown> = {}
  for (const key of keys) {
    const value = same(held(org, key), want[key]) ? want[key] : before?.[key]
    if (value !== undefined) applied[key] = value
  }
  return Object.keys(applied).length === 0 ? undefined : applied as Fields
}

const sameFields = (a: Fields | undefined, b: Fields) => a !== undefined && keys.every((key) => a[key] === b[key])

/**
 * Records the resolved identities, and what was applied, where they differ from `stored`: the mapping the plan
 * was made from, which no write has changed since (a pass remembers after a round that wrote nothing).
 */
export const remember = (
  desired: DesiredState,
  plan: Plan,
  remote: ReadonlyArray<RemoteOrg>,
  identities: ReadonlyArray<StoredIdentity>
) =>
  Effect.gen(function*() {
    const db = yield* StateDb
    const byUid = new Map(remote.map((org) => [org.orgUid, org]))
    const fields = byPath(desired)
    const unsettledPaths = new Set([...plan.changes.map((c) => c.path), ...plan.conflicts.map((c) => c.path)])
    const stored = new Map(identities.map((identity) => [identity.path, identity]))
    const changed: Array<Parameters<typeof db.saveIdentities>[0][number]> = []
    for (const { orgUid, path } of plan.resolved) {
      const org = byUid.get(orgUid)
      const want = fields.get(path)
      if (org === undefined || want === undefined) continue
      const before = stored.get(path)
      const sameOrg = before !== undefined && before.orgUid === orgUid && before.orgId === org.orgId
      const extRef = want.extRef === undefined ? org.orgExtRef ?? null : want.extRef
      const notes = want.notes === undefined ? org.notes ?? null : want.notes
      const wanted = { name: want.name, extRef, notes, status: want.status }
      const applied = unsettledPaths.has(path)
        ? partlyApplied(wanted, org, before?.orgUid === orgUid ? before.applied : undefined)
        : wanted
      // What was recorded holds every field, as recorded: the same values are the same record.
      if (sameOrg && (applied === undefined ? before.applied === undefined : sameFields(before.applied, applied))) continue
      const identity = { path, orgUid, orgId: org.orgId, orgGuid: org.orgGuid }
      changed.push(applied === undefined ? identity : { ...identity, applied })
    }
    yield* db.saveIdentities(changed)
    yield* db.forgetIdentities([...stored.keys()].filter((path) => !fields.has(path)))
  })
