/**
 * The orgGuid of every org the client has seen, by orgId and by orgUid. The v3 endpoints act on guids while
 * callers speak ids; list pages fill the cache as they stream past, so acting on any listed org costs no
 * extra request, and an unseen org costs one `GET /api/v1/Org/{orgId}`.
 */
import type * as Org from "../Org.js"

export interface GuidCache {
  readonly byId: (orgId: number) => string | undefined
  readonly byUid: (orgUid: string) => string | undefined
  readonly remember: (org: Org.Org) => void
}

export const make = (): GuidCache => {
  // Guids never change and orgs are never deleted, so entries never go stale.
  const ids = new Map<number, string>()
  const uids = new Map<string, string>()
  return {
    byId: (orgId) => ids.get(orgId),
    byUid: (orgUid) => uids.get(orgUid),
    remember: (org) => {
      ids.set(org.orgId, org.orgGuid)
      uids.set(org.orgUid, org.orgGuid)
    }
  }
}
