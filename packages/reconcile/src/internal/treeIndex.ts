/**
 * The remote tree indexed by uid and by parent, and an org's status from its body: pure, so that what renders
 * or checks a tree (the desired file's import, the plan) does not load the reading of it.
 */
import type { Status } from "../Desired.js"
import type { RemoteOrg } from "../OrgApi.js"

/** An org whose body does not say is taken as active and unblocked: no destructive write follows from that. */
export const statusOf = (
  org: { readonly active?: boolean | undefined; readonly blocked?: boolean | undefined }
): Status => org.active === false ? "deactivated" : org.blocked === true ? "blocked" : "active"

/** The tenant's orgs by uid and by parent: the one index every reader of the remote tree shares. */
export interface Index {
  /** The first org listed under each uid, so that an org listed twice never changes the answer. */
  readonly byUid: ReadonlyMap<string, RemoteOrg>
  /** The children of each org by its uid, in listing order; a parent named by its orgId only is found too. */
  readonly children: ReadonlyMap<string, ReadonlyArray<RemoteOrg>>
  /** The first org listed without a parent. */
  readonly topLevel: RemoteOrg | undefined
}

export const index = (orgs: ReadonlyArray<RemoteOrg>): Index => {
  const byUid = new Map<string, RemoteOrg>()
  const uidById = new Map<number, string>()
  for (const org of orgs) {
    if (byUid.has(org.orgUid)) continue
    byUid.set(org.orgUid, org)
    if (org.orgId !== undefined) uidById.set(org.orgId, org.orgUid)
  }
  const children = new Map<string, Array<RemoteOrg>>()
  let topLevel: RemoteOrg | undefined
  for (const org of byUid.values()) {
    if (org.parentOrgUid == null && org.parentOrgId == null) {
      topLevel ??= org
      continue
    }
    const parentUid = org.parentOrgUid ?? uidById.get(org.parentOrgId!)
    if (parentUid === undefined) continue
    const siblings = children.get(parentUid)
    if (siblings === undefined) children.set(parentUid, [org])
    else siblings.push(org)
  }
  return { byUid, children, topLevel }
}
