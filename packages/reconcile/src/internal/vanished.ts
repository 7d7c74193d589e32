/**
 * Code42 never deletes an org: it blocks and deactivates them. An org orgsync manages that a listing leaves out
 * means the listing is short (a cap, a filter, a server that omits deactivated orgs), and a plan made from it
 * would create the missing orgs a second time.
 */
import type { RemoteOrg } from "../OrgApi.js"
import { plural } from "../PlanFormat.js"
import type { StoredIdentity } from "../StateDb.js"

/** How many of the missing orgs a message names. */
const named = 5

/** The managed orgs, as remembered, that `remote` does not list under their uid or their guid. */
export const missing = (
  known: ReadonlyArray<StoredIdentity>,
  remote: ReadonlyArray<RemoteOrg>
): ReadonlyArray<StoredIdentity> => {
  if (known.length === 0) return []
  // An identity recorded on another API family holds that family's uid: its guid is the same on every family.
  const listed = new Set<string>()
  for (const org of remote) {
    listed.add(org.orgUid)
    if (org.orgGuid !== undefined) listed.add(org.orgGuid)
  }
  return known.filter((identity) =>
    !listed.has(identity.orgUid) && (identity.orgGuid === undefined || !listed.has(identity.orgGuid))
  )
}

export const describe = (gone: ReadonlyArray<StoredIdentity>): string => {
  const shown = gone.slice(0, named).map((identity) => `${identity.path} (${identity.orgUid})`).join(", ")
  const more = gone.length > named ? ` and ${gone.length - named} more` : ""
  return `${plural(gone.length, "org")} orgsync manages ${gone.length === 1 ? "is" : "are"} ` +
    `missing from Code42's listing: ${shown}${more}. Code42 never deletes an org, so the listing is incomplete ` +
    `and nothing was planned from it; if the orgs were removed on purpose, run once with --force to accept it`
}
