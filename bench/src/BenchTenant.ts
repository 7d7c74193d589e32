/**
 * The tenants the benchmark runs against: the simulator's generated trees (regions down to squads, duplicate
 * names across branches, blocked and deactivated subtrees), less the one state a desired file cannot express
 * (an org unblocked by hand below a blocked parent, which `orgsync import` writes as blocked). Without it,
 * `orgsync import` of the tenant is exactly its desired state, so a no-op reconcile has truly nothing to do.
 */
import { GeneratedSeed, type Seed } from "@c42/simulator"

/** Drops every explicit `blocked: false`: the generator only writes one to unblock below a blocked parent. */
const withoutHandUnblocks = (org: Seed.SeedOrg): Seed.SeedOrg => {
  const { blocked, children, ...rest } = org
  return {
    ...rest,
    ...(blocked === true ? { blocked } : {}),
    ...(children === undefined ? {} : { children: children.map(withoutHandUnblocks) })
  }
}

/** A reproducible tenant of exactly `count` orgs, the top-level org included. */
export const generate = (count: number, randomSeed: number): Seed.Seed => {
  const generated = GeneratedSeed.generate(count, randomSeed)
  return { ...generated, org: withoutHandUnblocks(generated.org) }
}
