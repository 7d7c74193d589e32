/**
 * The identity mapping after a pass: which remote org each desired path resolved to, and, for the orgs the pass
 * left converged, the values orgsync applied (what drift is measured against).
 */
import { Effect } from "effect"
import { byPath, type DesiredState } from "../Desired.js"
import type { RemoteOrg } from "../OrgApi.js"
import type { Plan } from "../PlanModel.js"
import { StateDb, type StoredIdentity } from "../StateDb.js"

/**
 * Records the resolved identities, and what was converged, where they differ from `stored`: the mapping the plan
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
      const settled = !unsettledPaths.has(path)
      const extRef = want.extRef === undefined ? org.orgExtRef ?? null : want.extRef
      const notes = want.notes === undefined ? org.notes ?? null : want.notes
      const before = stored.get(path)
      // What was recorded holds every field, as recorded: the same values are the same record.
      const same = before !== undefined && before.orgUid === orgUid && before.orgId === org.orgId &&
        (!settled || (before.applied?.name === want.name && before.applied.extRef === extRef &&
          before.applied.notes === notes && before.applied.status === want.status))
      if (same) continue
      const identity = { path, orgUid, orgId: org.orgId, orgGuid: org.orgGuid }
      changed.push(settled ? { ...identity, applied: { name: want.name, extRef, notes, status: want.status } } : identity)
    }
    yield* db.saveIdentities(changed)
    yield* db.forgetIdentities([...stored.keys()].filter((path) => !fields.has(path)))
  })
