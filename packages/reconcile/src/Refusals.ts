/**
 * Changes Code42 refused by one of its rules (a name already used in the tenant, an org above that is
 * blocked, ...). Sending them again would be refused again, so they become conflicts a person must act on,
 * and are not sent again while the change and the tenant stay as they were when Code42 refused them.
 */
import type { Code42Error } from "@c42/core"
import { Effect, Option, Schema } from "effect"
import type { RemoteOrg } from "./OrgApi.js"
import type { Change, Conflict, Plan } from "./Plan.js"
import { setting, StateDb, type StateDbError, StateReader } from "./StateDb.js"

export const Refusal = Schema.Struct({
  /** The refused change: its action, org, parent and fields (`keyOf`). */
  key: Schema.String,
  /** Code42's code for the rule, e.g. `ORG_DUPLICATE`. */
  code: Schema.String,
  path: Schema.String,
  message: Schema.String,
  /** What the refusal depends on, as it was read before the refused write (`digest`). */
  tenant: Schema.String
})
export interface Refusal extends Schema.Schema.Type<typeof Refusal> {}

/** What identifies a change: sent again only when one of these differs. */
export const keyOf = (change: Change): string =>
  JSON.stringify([change.action, change.path, change.orgUid, change.parentOrgUid, change.after])

/** A fingerprint of `text`s in any order (FNV-1a of each, summed and xored). */
const fingerprint = (texts: Iterable<string>): string => {
  let count = 0
  let sum = 0
  let xor = 0
  for (const text of texts) {
    let hash = 0x811c9dc5
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
    count++
    sum = (sum + (hash >>> 0)) >>> 0
    xor = (xor ^ hash) >>> 0
  }
  return `${count}:${sum.toString(16)}:${xor.toString(16)}`
}

const describeOrg = (org: RemoteOrg) =>
  `${org.orgUid}\u0000${org.orgName}\u0000${org.active}\u0000${org.blocked}\u0000${org.parentOrgUid}`

/**
 * What Code42's refusal of `change` by `code` depends on, as a fingerprint: for a name already used, the orgs
 * of that name; for a blocked or deactivated org above, the orgs above; else the whole tenant. When it
 * changes, what Code42 refused may be allowed now; the other writes of the same apply do not change it.
 */
export const digest = (change: Change, code: string, remote: ReadonlyArray<RemoteOrg>): string => {
  if (code === "ORG_DUPLICATE") {
    const name = (change.after?.name ?? "").trim().toLowerCase()
    return fingerprint(remote.filter((org) => org.orgName.trim().toLowerCase() === name).map(describeOrg))
  }
  if (code.startsWith("PARENT_ORG_")) {
    const byUid = new Map(remote.map((org) => [org.orgUid, org]))
    const above: Array<string> = []
    for (let uid = change.action === "create" ? change.parentOrgUid : byUid.get(change.orgUid ?? "")?.parentOrgUid;
      uid != null;
      uid = byUid.get(uid)?.parentOrgUid)
    {
      const org = byUid.get(uid)
      if (org === undefined) break
      above.push(describeOrg(org))
    }
    return fingerprint(above)
  }
  return fingerprint(remote.map(describeOrg))
}

/** The nearest blocked org above `orgUid`, as `<name> (<orgUid>)`. */
const blockedAncestor = (orgUid: string | null, remote: ReadonlyArray<RemoteOrg>): string | undefined => {
  const byUid = new Map(remote.map((org) => [org.orgUid, org]))
  for (let org = orgUid === null ? undefined : byUid.get(orgUid); org !== undefined;) {
    const parent = org.parentOrgUid == null ? undefined : byUid.get(org.parentOrgUid)
    if (parent?.blocked) return `${parent.orgName} (${parent.orgUid})`
    org = parent
  }
  return undefined
}

/** The refusal of `change` by `error`, with the tenant `remote` it was sent against. */
export const make = (change: Change, error: Code42Error.OrgRuleError, remote: ReadonlyArray<RemoteOrg>): Refusal => {
  const ancestor = error.code === "PARENT_ORG_IS_BLOCKED" ? blockedAncestor(change.orgUid, remote) : undefined
  const reason = ancestor === undefined ? error.message : `${error.message} The blocked org above it: ${ancestor}.`
  return {
    key: keyOf(change),
    code: error.code,
    path: change.path,
    message: `Code42 refused to ${change.action} ${change.path} (${error.code}). ${reason} ` +
      "orgsync does not send it again until the desired files or the tenant change.",
    tenant: digest(change, error.code, remote)
  }
}

/** What `withhold` did to a plan. */
export interface Withheld {
  readonly plan: Plan
  /** The refusals that still stand: each took a change out of the plan. */
  readonly standing: ReadonlyArray<Refusal>
}

/**
 * Takes the refused changes out of the plan, with one `refused-by-code42` conflict each, while what each
 * refusal depends on in the tenant `remote` is as it was (`digest`); the creates below a refused create go
 * with it.
 */
export const withhold = (plan: Plan, refusals: ReadonlyArray<Refusal>, remote: ReadonlyArray<RemoteOrg>): Withheld => {
  if (refusals.length === 0) return { plan, standing: [] }
  const byKey = new Map(refusals.map((refusal) => [refusal.key, refusal]))
  const standing: Array<Refusal> = []
  const below: Array<string> = []
  const changes = plan.changes.filter((change) => {
    const refusal = byKey.get(keyOf(change))
    if (refusal !== undefined && refusal.tenant === digest(change, refusal.code, remote)) {
      standing.push(refusal)
      if (change.action === "create") below.push(`${change.path}/`)
      return false
    }
    return !(change.action === "create" && below.some((prefix) => change.path.startsWith(prefix)))
  })
  if (standing.length === 0) return { plan, standing }
  const conflicts: ReadonlyArray<Conflict> = standing.map((refusal) => ({
    kind: "refused-by-code42",
    path: refusal.path,
    message: refusal.message,
    orgUids: []
  }))
  return { plan: { ...plan, changes, conflicts: [...plan.conflicts, ...conflicts] }, standing }
}

/** `refusals` with `added` in place of those of the same change. */
export const merge = (refusals: ReadonlyArray<Refusal>, added: ReadonlyArray<Refusal>): ReadonlyArray<Refusal> => {
  const keys = new Set(added.map((refusal) => refusal.key))
  return [...refusals.filter((refusal) => !keys.has(refusal.key)), ...added]
}

const metaKey = "refusals"

const Kept = Schema.parseJson(Schema.Array(Refusal))

/** The refusals kept in the state database. */
export const load: Effect.Effect<ReadonlyArray<Refusal>, StateDbError, StateReader> = Effect.flatMap(
  StateReader,
  (db) => Effect.map(setting(db, metaKey, Kept), Option.getOrElse((): ReadonlyArray<Refusal> => []))
)

/** Keeps `refusals` in the state database, replacing what was kept. */
export const save = (refusals: ReadonlyArray<Refusal>) =>
  Effect.flatMap(StateDb, (db) => db.setMeta(metaKey, JSON.stringify(refusals)))
