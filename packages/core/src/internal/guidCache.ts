/**
 * The orgGuid of every org the client has seen, by orgId and by orgUid. The v3 endpoints act on guids while
 * callers speak ids; list pages fill the cache as they stream past, so acting on any listed org costs no
 * extra request, and an unseen org costs one `GET /api/v1/Org/{orgId}`. An org read without a guid (2020 and
 * older servers) is remembered as having none: it is acted on through the id-addressed routes.
 */
import type * as Org from "../Org.js"

export interface GuidCache {
  /** The guid; `null` when the org has none; `undefined` when the org has not been seen. */
  readonly byId: (orgId: number) => string | null | undefined
  readonly byUid: (orgUid: string) => string | null | undefined
  readonly remember: (org: Org.Org) => void
}

export const make = (): GuidCache => {
  // Guids never change and orgs are never deleted, so entries never go stale.
  const ids = new Map<number, string | null>()
  const uids = new Map<string, string | null>()
  return {
    byId: (orgId) => ids.get(orgId),
    byUid: (orgUid) => uids.get(orgUid),
    remember: (org) => {
      ids.set(org.orgId, org.orgGuid ?? null)
      uids.set(org.orgUid, org.orgGuid ?? null)
    }
  }
}
