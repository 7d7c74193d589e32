/**
 * Realistic tenants of any size, for `--generate N`: regions, divisions, departments and teams (then squads,
 * for very large tenants), with the messiness reconcilers meet in the field: the same names in different
 * branches, blocked and deactivated subtrees. It never makes an active, unblocked org under a blocked one:
 * Code42 refuses the unblock that would lead there (PARENT_ORG_IS_BLOCKED). The same `randomSeed` always gives
 * the same tree.
 */
import { PCGRandom } from "effect/Utils"
import type * as Seed from "./Seed.js"

const levels: ReadonlyArray<{ readonly names: ReadonlyArray<string>; readonly min: number; readonly max: number }> = [
  {
    names: ["North America", "Europe", "Asia Pacific", "Latin America", "Middle East", "Africa", "Oceania"],
    min: 3,
    max: 6
  },
  {
    names: [
      "Engineering", "Sales", "Marketing", "Finance", "Operations", "Legal", "Human Resources", "Support",
      "Research", "Security"
    ],
    min: 3,
    max: 8
  },
  {
    names: [
      "Platform", "Mobile", "Web", "Data", "Infrastructure", "Quality", "Design", "Billing", "Identity",
      "Payments", "Analytics", "Compliance", "Procurement", "Recruiting", "Field Sales", "Inside Sales"
    ],
    min: 3,
    max: 8
  },
  {
    names: [
      "Team Alpha", "Team Bravo", "Team Charlie", "Team Delta", "Team Echo", "Team Foxtrot", "Team Golf",
      "Team Hotel", "Team India", "Team Juliet"
    ],
    min: 2,
    max: 8
  }
]
const deepLevel = { names: ["Squad"], min: 3, max: 10 }

/** The share of orgs that root a blocked or deactivated subtree. */
const blockRate = 0.04
const deactivateRate = 0.03

interface Draft {
  orgName: string
  orgExtRef?: string
  notes?: string
  blocked?: boolean
  active?: boolean
  userCount?: number
  computerCount?: number
  children: Array<Draft>
  readonly depth: number
  /** The state the org ends up in, inherited or explicit. */
  readonly isBlocked: boolean
  readonly isActive: boolean
}

/** Picks `count` distinct sibling names, numbering them once the pool runs out. */
const siblingNames = (random: PCGRandom, pool: ReadonlyArray<string>, count: number): ReadonlyArray<string> => {
  const shuffled = [...pool]
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = random.integer(i + 1)
    ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
  }
  return Array.from({ length: count }, (_, i) =>
    i < shuffled.length && pool.length > 1 ? shuffled[i]! : `${pool[i % pool.length]} ${i + 1}`)
}

/** A tree of exactly `count` orgs (the top-level org included), filled breadth-first. */
export const generate = (count: number, randomSeed: number): Seed.Seed => {
  const random = new PCGRandom(randomSeed)
  const top: Draft = { orgName: "Acme Corporation", children: [], depth: 0, isBlocked: false, isActive: true }
  let total = 1
  let extRefs = 0
  const queue: Array<Draft> = [top]
  for (let head = 0; head < queue.length && total < count; head++) {
    const parent = queue[head]!
    const level = levels[parent.depth] ?? deepLevel
    const width = Math.min(count - total, level.min + random.integer(level.max - level.min + 1))
    for (const orgName of siblingNames(random, level.names, width)) {
      const child = draftChild(random, parent, orgName, () => ++extRefs)
      parent.children.push(child)
      queue.push(child)
      total++
    }
  }
  return { org: toSeed(top) }
}

const draftChild = (random: PCGRandom, parent: Draft, orgName: string, nextExtRef: () => number): Draft => {
  const depth = parent.depth + 1
  let isActive = parent.isActive
  let isBlocked = parent.isBlocked
  const explicit: Partial<Pick<Draft, "blocked" | "active">> = {}
  // Only below the regions, so that most of the tenant stays usable.
  if (depth >= 2 && isActive && random.number() < deactivateRate) {
    isActive = false
    explicit.active = false
  } else if (depth >= 2 && !isBlocked && random.number() < blockRate) {
    isBlocked = true
    explicit.blocked = true
  }
  const draft: Draft = { orgName, children: [], depth, isBlocked, isActive, ...explicit }
  if (depth === 3 && random.number() < 0.5) {
    draft.orgExtRef = `DEPT-${String(nextExtRef()).padStart(5, "0")}`
  }
  if (random.number() < 0.1) {
    draft.notes = `Cost center ${1000 + random.integer(9000)}`
  }
  if (depth >= 3) {
    draft.userCount = random.integer(40)
    draft.computerCount = draft.userCount + random.integer(10)
  }
  return draft
}

/** Drops the bookkeeping, iteratively: a generated tree is shallow, but the copy should not care. */
const toSeed = (top: Draft): Seed.SeedOrg => {
  const copies = new Map<Draft, { -readonly [K in keyof Seed.SeedOrg]: Seed.SeedOrg[K] }>()
  const order: Array<Draft> = [top]
  for (let i = 0; i < order.length; i++) order.push(...order[i]!.children)
  for (let i = order.length - 1; i >= 0; i--) {
    const { children, depth: _depth, isActive: _isActive, isBlocked: _isBlocked, ...fields } = order[i]!
    copies.set(order[i]!, {
      ...fields,
      ...(children.length > 0 ? { children: children.map((child) => copies.get(child)!) } : {})
    })
  }
  return copies.get(top)!
}
