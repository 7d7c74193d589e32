/**
 * Code42 as a test double for whole passes: a tenant held in memory that orgsync reads and writes through
 * `OrgApi`, and that a person changes by hand between passes. Blocks and unblocks cascade as Code42's do; a
 * state database in a new folder goes with it.
 */
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, Ref, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { OrgApi, type RemoteOrg } from "../src/OrgApi.js"
import * as StateDb from "../src/StateDb.js"

export interface TenantDouble {
  readonly api: OrgApi
  /** The orgs named `name`. */
  readonly named: (name: string) => Effect.Effect<ReadonlyArray<RemoteOrg>>
  /** An update made in the console: name, extRef or notes. */
  readonly edit: (name: string, fields: Partial<Pick<RemoteOrg, "orgName" | "orgExtRef" | "notes">>) => Effect.Effect<void>
  /** A block or unblock made in the console (cascading, as Code42's). */
  readonly byHand: (action: "block" | "unblock", name: string) => Effect.Effect<void>
  /** Every write orgsync sent, as `action name`. */
  readonly writes: Effect.Effect<ReadonlyArray<string>>
}

/** The tenant's top-level org, the managed root. */
export const top: RemoteOrg = {
  orgId: 1,
  orgUid: "top",
  orgName: "Tenant",
  orgExtRef: null,
  notes: null,
  active: true,
  blocked: false,
  parentOrgUid: null
}

/** A tenant with the given orgs right under its top-level org (each a partial org, by name). */
export const make = (children: ReadonlyArray<Partial<RemoteOrg> & { readonly orgName: string }>) =>
  Effect.gen(function*() {
    const orgs = yield* Ref.make<ReadonlyArray<RemoteOrg>>([
      top,
      ...children.map((child, i): RemoteOrg => ({
        ...top,
        orgId: i + 2,
        orgUid: `uid-${i + 2}`,
        parentOrgUid: top.orgUid,
        ...child
      }))
    ])
    const writes = yield* Ref.make<ReadonlyArray<string>>([])
    const nameOf = (uid: string) => Effect.map(Ref.get(orgs), (all) => all.find((org) => org.orgUid === uid)!.orgName)
    const change = (uid: string, f: (org: RemoteOrg) => RemoteOrg) =>
      Ref.update(orgs, (all) => all.map((org) => org.orgUid === uid ? f(org) : org))
    /** The org and every org below it. */
    const below = (all: ReadonlyArray<RemoteOrg>, uid: string): ReadonlySet<string> => {
      const found = new Set([uid])
      for (let grew = true; grew;) {
        grew = false
        for (const org of all) {
          if (org.parentOrgUid != null && found.has(org.parentOrgUid) && !found.has(org.orgUid)) {
            found.add(org.orgUid)
            grew = true
          }
        }
      }
      return found
    }
    const setBlocked = (uid: string, blocked: boolean) =>
      Ref.update(orgs, (all) => {
        const reached = below(all, uid)
        return all.map((org) => reached.has(org.orgUid) ? { ...org, blocked } : org)
      })
    const uidOf = (name: string) => Effect.map(Ref.get(orgs), (all) => all.find((org) => org.orgName === name)!.orgUid)
    const api: OrgApi = {
      api: "v3",
      canBlock: true,
      pages: Stream.fromEffect(Effect.map(Ref.get(orgs), (list) => ({ totalCount: list.length, orgs: list }))),
      create: (input) =>
        Effect.gen(function*() {
          const all = yield* Ref.get(orgs)
          const org: RemoteOrg = {
            ...top,
            orgId: all.length + 1,
            orgUid: `uid-${all.length + 1}`,
            orgName: input.orgName,
            orgExtRef: input.orgExtRef,
            notes: input.notes,
            parentOrgUid: input.parentOrgUid
          }
          yield* Ref.set(orgs, [...all, org])
          yield* Ref.update(writes, (list) => [...list, `create ${input.orgName}`])
          return org
        }),
      update: (ref, input) =>
        Effect.gen(function*() {
          yield* change(ref.orgUid, (org) => ({
            ...org,
            ...(input.orgName === undefined ? {} : { orgName: input.orgName }),
            ...(input.orgExtRef === undefined ? {} : { orgExtRef: input.orgExtRef }),
            ...(input.notes === undefined ? {} : { notes: input.notes })
          }))
          const name = yield* nameOf(ref.orgUid)
          yield* Ref.update(writes, (list) => [...list, `update ${name} ${Object.keys(input).sort().join(",")}`])
          return (yield* Ref.get(orgs)).find((org) => org.orgUid === ref.orgUid)!
        }),
      act: (action, ref) =>
        Effect.gen(function*() {
          if (action === "block" || action === "unblock") yield* setBlocked(ref.orgUid, action === "block")
          else yield* change(ref.orgUid, (org) => ({ ...org, active: action === "reactivate" }))
          const name = yield* nameOf(ref.orgUid)
          yield* Ref.update(writes, (list) => [...list, `${action} ${name}`])
        }),
      currentOrgUid: Effect.succeed(top.orgUid)
    }
    return {
      api,
      named: (name) => Effect.map(Ref.get(orgs), (all) => all.filter((org) => org.orgName === name)),
      edit: (name, fields) => Effect.flatMap(uidOf(name), (uid) => change(uid, (org) => ({ ...org, ...fields }))),
      byHand: (action, name) => Effect.flatMap(uidOf(name), (uid) => setBlocked(uid, action === "block")),
      writes: Ref.get(writes)
    } satisfies TenantDouble
  })

/** A state database in a new folder. */
export const stateDb = () =>
  StateDb.layer(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-tenant-")), "state.db")).pipe(
    Layer.provide(NodeContext.layer)
  )
