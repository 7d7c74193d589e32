/**
 * The org tree of one simulated tenant and the rules that govern it (code42-api.md section 8): cascading
 * block, unblock and deactivation, guarded reactivation and creation, name validation.
 *
 * Orgs are indexed by orgId (an array in id order, which is also list order), by orgUid, by orgGuid, and each
 * keeps its children, so a page of an unfiltered list costs the same with 100 orgs or 100,000.
 */
import { Data, Either } from "effect"
import type { PCGRandom } from "effect/Utils"
import * as Ids from "./internal/ids.js"
import type * as Seed from "./Seed.js"
import type { ServerRules } from "./ServerRules.js"

/** The size of a subtree: its descendant orgs, and the users and computers of the org and its descendants. */
export interface Counts {
  readonly orgCount: number
  readonly userCount: number
  readonly computerCount: number
}

/** An org as the tenant holds it; only the tenant changes it. */
export interface OrgNode {
  readonly orgId: number
  readonly orgUid: string
  readonly orgGuid: string
  readonly registrationKey: string
  readonly creationDate: number
  readonly parent: OrgNode | undefined
  readonly children: ReadonlyArray<OrgNode>
  readonly orgName: string
  readonly orgExtRef: string | null
  readonly notes: string | null
  readonly active: boolean
  readonly blocked: boolean
  readonly modificationDate: number
  readonly deactivationDate: number | null
  readonly userCount: number
  readonly computerCount: number
}

type MutableNode = {
  -readonly [K in keyof OrgNode]: K extends "parent" ? MutableNode | undefined
    : K extends "children" ? Array<MutableNode>
    : OrgNode[K]
}

/**
 * A write the rules refuse. `invalid` marks validation errors and `duplicate` ORG_DUPLICATE, whose status
 * depends on the endpoint family; `forbidden` is what every family answers with 500 (PARENT_ORG_IS_BLOCKED,
 * actions on the top-level org).
 */
export class OrgRefused extends Data.TaggedError("OrgRefused")<{
  readonly code: string
  readonly description: string
  readonly kind: "invalid" | "duplicate" | "forbidden"
}> {}

/** A seed that breaks the tree's invariants. */
export class InvalidSeed extends Data.TaggedError("InvalidSeed")<{ readonly message: string }> {}

/** What a create or update writes; for an update an absent field keeps its value. */
export interface OrgFields {
  readonly orgName?: unknown
  readonly orgExtRef?: string | null | undefined
  readonly notes?: string | null | undefined
}

/** The tenant-wide switches that change the rules. */
export type Rules = Pick<ServerRules, "uniqueNames" | "renameOnDeactivate">

export interface PageQuery {
  readonly pgNum: number
  readonly pgSize: number
  /** Case-insensitive substring of the name. */
  readonly q?: string | undefined
  readonly active?: boolean | undefined
  /** Orgs made by a create after this time are left out (a listing that lags its writes). */
  readonly createdBy?: number | undefined
}

const refused = (code: string, description: string, kind: OrgRefused["kind"] = "invalid") =>
  Either.left(new OrgRefused({ code, description, kind }))

const minNameLength = 3
const maxNameLength = 220

/** The server trims names before it checks and stores them. */
const checkName = (name: unknown): Either.Either<string, OrgRefused> => {
  const trimmed = typeof name === "string" ? name.trim() : ""
  if (trimmed.length === 0) {
    return refused("ORG_NAME_MISSING", "Org name is required")
  }
  if (trimmed.length < minNameLength) {
    return refused("ORG_NAME_TOO_SHORT", "Org name must be at least three characters long")
  }
  if (trimmed.length > maxNameLength) {
    return refused("ORG_NAME_TOO_LONG", `Org name must be at most ${maxNameLength} characters long`)
  }
  return Either.right(trimmed)
}

/** The server refuses every state change on orgId < 2, the top-level org here. */
const checkNotTop = (org: OrgNode, action: string): Either.Either<void, OrgRefused> =>
  org.orgId < 2 ? refused("SYSTEM", `Unable to ${action} org ${org.orgId}`, "forbidden") : Either.void

export class Tenant {
  private readonly ordered: Array<MutableNode> = []
  private readonly uids = new Map<string, MutableNode>()
  private readonly guids = new Map<string, MutableNode>()
  /** How many orgs bear each name, for tenant-wide uniqueness. */
  private readonly names = new Map<string, number>()
  /** The orgs made by a create, as against those of the seed. */
  private readonly created = new Set<OrgNode>()
  /** The tenant's own id, as `GET /api/v3/customer/my` reports it. */
  readonly tenantUid: string

  private constructor(private readonly random: PCGRandom) {
    this.tenantUid = Ids.guid(random, this.guids)
  }

  /**
   * Builds a tenant from a seed. Ids are handed out depth-first, so parents precede their children in list
   * order; uids, guids and keys come from `random`, so the same seed and random state give the same tenant.
   */
  static fromSeed(seed: Seed.SeedOrg, random: PCGRandom, now: number): Either.Either<Tenant, InvalidSeed> {
    const tenant = new Tenant(random)
    const pending: Array<{ readonly org: Seed.SeedOrg; readonly parent: MutableNode | undefined }> = [
      { org: seed, parent: undefined }
    ]
    // An explicit stack rather than recursion: seeds may be deep chains.
    while (pending.length > 0) {
      const { org, parent } = pending.pop()!
      const name = checkName(org.orgName)
      if (Either.isLeft(name)) {
        return Either.left(new InvalidSeed({ message: `Org "${org.orgName}": ${name.left.description}` }))
      }
      if (org.orgUid !== undefined && tenant.uids.has(org.orgUid)) {
        return Either.left(new InvalidSeed({ message: `Duplicate orgUid ${org.orgUid}` }))
      }
      const active = org.active ?? parent?.active ?? true
      if (active && parent !== undefined && !parent.active) {
        return Either.left(
          new InvalidSeed({
            message: `Org "${org.orgName}" is active under the deactivated org "${parent.orgName}"`
          })
        )
      }
      const node = tenant.add(parent, {
        orgUid: org.orgUid,
        orgName: name.right,
        orgExtRef: org.orgExtRef ?? null,
        notes: org.notes ?? null,
        active,
        blocked: org.blocked ?? parent?.blocked ?? false,
        userCount: org.userCount ?? 0,
        computerCount: org.computerCount ?? 0
      }, now)
      const children = org.children ?? []
      for (let i = children.length - 1; i >= 0; i--) {
        pending.push({ org: children[i]!, parent: node })
      }
    }
    return Either.right(tenant)
  }

  /** The tenant's top-level org. */
  get top(): OrgNode {
    return this.ordered[0]!
  }

  get size(): number {
    return this.ordered.length
  }

  /** Every org, in orgId order. */
  orgs(): ReadonlyArray<OrgNode> {
    return this.ordered
  }

  byId(orgId: number): OrgNode | undefined {
    // Ids are dense from 1 and orgs are never removed, so the id is the position.
    return Number.isSafeInteger(orgId) && orgId >= 1 ? this.ordered[orgId - 1] : undefined
  }

  byUid(orgUid: string): OrgNode | undefined {
    return this.uids.get(orgUid)
  }

  byGuid(orgGuid: string): OrgNode | undefined {
    return this.guids.get(orgGuid)
  }

  /** Whether a list shows `org`: one made by a create after `createdBy` is not shown yet (a lagging listing). */
  listedBy(createdBy: number | undefined): (org: OrgNode) => boolean {
    return (org) => createdBy === undefined || org.creationDate <= createdBy || !this.created.has(org)
  }

  /** One page of the list; only filtered lists look at every org. */
  page(query: PageQuery): { readonly totalCount: number; readonly orgs: ReadonlyArray<OrgNode> } {
    const start = (query.pgNum - 1) * query.pgSize
    const needle = query.q?.toLowerCase()
    const createdBy = this.created.size === 0 ? undefined : query.createdBy
    const listed = this.listedBy(createdBy)
    if ((needle === undefined || needle === "") && query.active === undefined && createdBy === undefined) {
      return { totalCount: this.ordered.length, orgs: this.ordered.slice(start, start + query.pgSize) }
    }
    const matching = this.ordered.filter((org) =>
      (needle === undefined || org.orgName.toLowerCase().includes(needle)) &&
      (query.active === undefined || org.active === query.active) &&
      listed(org)
    )
    return { totalCount: matching.length, orgs: matching.slice(start, start + query.pgSize) }
  }

  /** The size of the subtree under `org`, for `incCounts`. */
  counts(org: OrgNode): Counts {
    let orgCount = -1
    let userCount = 0
    let computerCount = 0
    for (const node of this.subtree(org as MutableNode)) {
      orgCount++
      userCount += node.userCount
      computerCount += node.computerCount
    }
    return { orgCount, userCount, computerCount }
  }

  create(parent: OrgNode, fields: OrgFields, rules: Rules, now: number): Either.Either<OrgNode, OrgRefused> {
    const name = checkName(fields.orgName)
    if (Either.isLeft(name)) return Either.left(name.left)
    // The server checks the block first.
    if (parent.blocked) {
      return refused("PARENT_ORG_BLOCKED", `The parent organization "${parent.orgName}" is blocked`)
    }
    if (!parent.active) {
      return refused("PARENT_ORG_NOT_ACTIVE", `The parent organization "${parent.orgName}" is not active`)
    }
    const duplicate = this.checkUnique(parent, name.right, undefined, rules)
    if (Either.isLeft(duplicate)) return Either.left(duplicate.left)
    const node = this.add(parent as MutableNode, {
      orgUid: undefined,
      orgName: name.right,
      orgExtRef: fields.orgExtRef ?? null,
      notes: fields.notes ?? null,
      active: true,
      blocked: false,
      userCount: 0,
      computerCount: 0
    }, now)
    this.created.add(node)
    return Either.right(node)
  }

  /** Changes name, external ref and notes; the parent cannot change. */
  update(org: OrgNode, fields: OrgFields, rules: Rules, now: number): Either.Either<OrgNode, OrgRefused> {
    const node = org as MutableNode
    let orgName = node.orgName
    if (fields.orgName !== undefined) {
      const name = checkName(fields.orgName)
      if (Either.isLeft(name)) return Either.left(name.left)
      orgName = name.right
    }
    if (node.parent !== undefined && orgName !== node.orgName) {
      const duplicate = this.checkUnique(node.parent, orgName, node, rules)
      if (Either.isLeft(duplicate)) return Either.left(duplicate.left)
    }
    const orgExtRef = fields.orgExtRef === undefined ? node.orgExtRef : fields.orgExtRef
    const notes = fields.notes === undefined ? node.notes : fields.notes
    if (orgName !== node.orgName || orgExtRef !== node.orgExtRef || notes !== node.notes) {
      this.rename(node, orgName)
      node.orgExtRef = orgExtRef
      node.notes = notes
      node.modificationDate = now
    }
    return Either.right(node)
  }

  /** Blocks the org and every descendant. */
  block(org: OrgNode, now: number): Either.Either<OrgNode, OrgRefused> {
    return Either.map(checkNotTop(org, "block"), () => {
      this.cascade(org, now, (node) => !node.blocked, (node) => node.blocked = true)
      return org
    })
  }

  /** Unblocks the org and every descendant; refused while the parent is blocked. */
  unblock(org: OrgNode, now: number): Either.Either<OrgNode, OrgRefused> {
    if (org.parent?.blocked === true) {
      return refused(
        "PARENT_ORG_IS_BLOCKED",
        `The parent organization "${org.parent.orgName}" is blocked`,
        "forbidden"
      )
    }
    return Either.map(checkNotTop(org, "unblock"), () => {
      this.cascade(org, now, (node) => node.blocked, (node) => node.blocked = false)
      return org
    })
  }

  /** Deactivates the org and every descendant, renaming them if the rules say so. */
  deactivate(org: OrgNode, now: number, rules: Rules): Either.Either<OrgNode, OrgRefused> {
    return Either.map(checkNotTop(org, "deactivate"), () => {
      this.cascade(org, now, (node) => node.active, (node) => {
        node.active = false
        node.deactivationDate = now
        if (rules.renameOnDeactivate) this.rename(node, `${node.orgName} deactivated ${iso(now)}`)
      })
      return org
    })
  }

  /** Reactivates the org alone, and only under an active parent; a deactivation's new name stays. */
  reactivate(org: OrgNode, now: number): Either.Either<OrgNode, OrgRefused> {
    if (org.parent !== undefined && !org.parent.active) {
      return refused("PARENT_ORG_NOT_ACTIVE", `The parent organization "${org.parent.orgName}" is not active`)
    }
    return Either.map(checkNotTop(org, "activate"), () => {
      const node = org as MutableNode
      if (!node.active) {
        node.active = true
        node.deactivationDate = null
        node.modificationDate = now
      }
      return node
    })
  }

  private checkUnique(
    parent: OrgNode,
    orgName: string,
    self: OrgNode | undefined,
    rules: Rules
  ): Either.Either<void, OrgRefused> {
    const taken = rules.uniqueNames === "siblings"
      ? parent.children.some((child) => child !== self && child.orgName === orgName)
      : rules.uniqueNames === "tenant"
      ? (this.names.get(orgName) ?? 0) > (self?.orgName === orgName ? 1 : 0)
      : false
    if (!taken) return Either.void
    const where = rules.uniqueNames === "siblings" ? `under "${parent.orgName}"` : "in this tenant"
    return refused("ORG_DUPLICATE", `An organization named "${orgName}" already exists ${where}`, "duplicate")
  }

  private rename(node: MutableNode, orgName: string): void {
    this.forget(node.orgName)
    node.orgName = orgName
    this.names.set(orgName, (this.names.get(orgName) ?? 0) + 1)
  }

  private forget(orgName: string): void {
    const count = this.names.get(orgName) ?? 0
    if (count > 1) this.names.set(orgName, count - 1)
    else this.names.delete(orgName)
  }

  private cascade(
    org: OrgNode,
    now: number,
    changes: (node: MutableNode) => boolean,
    change: (node: MutableNode) => void
  ): void {
    for (const node of this.subtree(org as MutableNode)) {
      if (changes(node)) {
        change(node)
        node.modificationDate = now
      }
    }
  }

  private *subtree(root: MutableNode): Generator<MutableNode> {
    const pending = [root]
    while (pending.length > 0) {
      const node = pending.pop()!
      yield node
      for (const child of node.children) pending.push(child)
    }
  }

  private add(
    parent: MutableNode | undefined,
    fields: Pick<MutableNode, "orgName" | "orgExtRef" | "notes" | "active" | "blocked" | "userCount" | "computerCount">
      & { readonly orgUid: string | undefined },
    now: number
  ): MutableNode {
    const node: MutableNode = {
      orgId: this.ordered.length + 1,
      orgUid: fields.orgUid ?? Ids.uid(this.random, this.uids),
      orgGuid: Ids.guid(this.random, this.guids),
      registrationKey: Ids.registrationKey(this.random),
      creationDate: now,
      parent,
      children: [],
      orgName: fields.orgName,
      orgExtRef: fields.orgExtRef,
      notes: fields.notes,
      active: fields.active,
      blocked: fields.blocked,
      modificationDate: now,
      deactivationDate: fields.active ? null : now,
      userCount: fields.userCount,
      computerCount: fields.computerCount
    }
    this.ordered.push(node)
    this.uids.set(node.orgUid, node)
    this.guids.set(node.orgGuid, node)
    this.names.set(node.orgName, (this.names.get(node.orgName) ?? 0) + 1)
    parent?.children.push(node)
    return node
  }

}

const iso = (millis: number) => new Date(millis).toISOString()
