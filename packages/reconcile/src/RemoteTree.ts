/**
 * Reading the remote tree: the whole tenant with the fewest list calls, checked before anything is planned
 * from it. A listing that is not a tree (an org listed twice, an org that is its own ancestor, an unknown
 * parent, several top-level orgs) or that runs far past the count the server announced is refused: orgsync
 * stops safely rather than plan writes from an answer it cannot trust.
 */
import type { Code42Error } from "@c42/core"
import { Data, Effect, Stream } from "effect"
import { OrgApi, type RemoteOrg } from "./OrgApi.js"

export class InconsistentTree extends Data.TaggedError("InconsistentTree")<{ readonly detail: string }> {
  override get message(): string {
    return `Code42's org listing is inconsistent (${this.detail}); nothing was planned from it`
  }
}

/** How far past its announced `totalCount` a listing may run (orgs created meanwhile) before it is refused. */
const slack = (announced: number) => announced + Math.max(10_000, announced)

/**
 * The most orgs orgsync reads from one tenant. Real tenants hold thousands; a listing past this is a server
 * that does not stop, and reading on would only exhaust memory.
 */
export const maxOrgs = 150_000

export { type Index, index, statusOf } from "./internal/treeIndex.js"

export const check = (orgs: ReadonlyArray<RemoteOrg>): InconsistentTree | undefined => {
  const byUid = new Map<string, RemoteOrg>()
  for (const org of orgs) {
    if (byUid.has(org.orgUid)) return new InconsistentTree({ detail: `org ${org.orgUid} is listed twice` })
    byUid.set(org.orgUid, org)
  }
  const tops = orgs.filter((org) => org.parentOrgUid == null)
  if (tops.length !== 1) return new InconsistentTree({ detail: `${tops.length} top-level orgs instead of one` })
  // Every org must reach the top-level org; `reaches` holds the orgs known to.
  const reaches = new Set<string>([tops[0]!.orgUid])
  for (const org of orgs) {
    const chain = new Set<string>()
    let at: RemoteOrg = org
    while (!reaches.has(at.orgUid)) {
      if (chain.has(at.orgUid)) return new InconsistentTree({ detail: `org ${org.orgUid} is its own ancestor` })
      chain.add(at.orgUid)
      const parent = at.parentOrgUid == null ? undefined : byUid.get(at.parentOrgUid)
      if (parent === undefined) {
        return new InconsistentTree({ detail: `org ${at.orgUid} has a parent ${at.parentOrgUid} that is not listed` })
      }
      at = parent
    }
    for (const uid of chain) reaches.add(uid)
  }
  return undefined
}

/** Every org of the tenant, checked to form one tree. */
export const read: Effect.Effect<
  ReadonlyArray<RemoteOrg>,
  Code42Error.Code42Error | InconsistentTree,
  OrgApi
> = Effect.gen(function*() {
  const api = yield* OrgApi
  const orgs: Array<RemoteOrg> = []
  const seen = new Set<string>()
  let limit = Infinity
  yield* api.pages.pipe(
    Stream.runForEach((page) => {
      if (limit === Infinity) limit = Math.min(slack(page.totalCount ?? 0), maxOrgs)
      for (const org of page.orgs) {
        // A page of orgs already listed is a listing that goes round in circles: stop at once.
        if (seen.has(org.orgUid)) return Effect.fail(new InconsistentTree({ detail: `org ${org.orgUid} is listed twice` }))
        seen.add(org.orgUid)
        orgs.push(org)
      }
      return orgs.length > limit
        ? Effect.fail(new InconsistentTree({ detail: `the listing runs on past ${limit} orgs` }))
        : Effect.void
    })
  )
  const problem = check(orgs)
  return problem === undefined ? orgs : yield* Effect.fail(problem)
})
