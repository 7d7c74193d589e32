/**
 * A listing's pages made lean as they arrive: each org keeps what reconciling it reads (ids, uids, guids, name,
 * external ref, notes, status, flags, parent) and lets go of the rest (type, classification, dates,
 * registration key, counts), so that a listing of 100,000 orgs is never held whole. A status, and the uid and
 * guid of a parent listed before its child, are held once however many orgs repeat them.
 */
import * as Org from "../Org.js"
import { defined } from "./lenient.js"

/** The pages of one listing, made lean one by one. */
export const make = (): ((page: Org.OrgPage) => Org.OrgPage) => {
  const listed = new Map<string, Org.Org>()
  const statuses = new Map<string, string>()
  const status = (text: string | undefined) => {
    if (text === undefined) return undefined
    const known = statuses.get(text)
    if (known !== undefined) return known
    statuses.set(text, text)
    return text
  }
  const lean = (org: Org.Org): Org.Org => {
    const parent = org.parentOrgUid === null || org.parentOrgUid === undefined
      ? undefined
      : listed.get(org.parentOrgUid)
    const kept = Org.fromChecked(
      defined({
        orgId: org.orgId,
        orgUid: org.orgUid,
        orgGuid: org.orgGuid,
        orgName: org.orgName,
        orgExtRef: org.orgExtRef,
        notes: org.notes,
        status: status(org.status),
        active: org.active,
        blocked: org.blocked,
        parentOrgId: org.parentOrgId,
        parentOrgUid: parent?.orgUid ?? org.parentOrgUid,
        parentOrgGuid: parent !== undefined && parent.orgGuid === org.parentOrgGuid
          ? parent.orgGuid
          : org.parentOrgGuid
      })
    )
    listed.set(kept.orgUid, kept)
    return kept
  }
  return (page) => new Org.OrgPage(defined({ totalCount: page.totalCount, orgs: page.orgs.map(lean) }), true)
}
