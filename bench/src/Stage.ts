/**
 * The stage a scenario runs on: the simulator serving a generated tenant on loopback, in this process, with
 * an account of its own; a scratch folder; and the in-process views of the tenant that the figures are checked
 * against (the remote tree as the client decodes it, the desired files as orgsync reads them, the plan).
 */
import { FileSystem } from "@effect/platform"
import { Org } from "@c42/core"
import { DesiredFiles, type Desired, Plan } from "@c42/reconcile"
import { Simulator } from "@c42/simulator"
import { Effect, Redacted, Schema } from "effect"
import type * as Scope from "effect/Scope"
import { randomBytes } from "node:crypto"
import { type BenchError, fromCause } from "./BenchError.js"
import * as BenchTenant from "./BenchTenant.js"
import type * as Contenders from "./Contenders.js"

export interface Stage {
  readonly sim: Simulator.Handle
  readonly connection: Contenders.Connection
  readonly dir: string
}

const decodeOrgs = Schema.decodeUnknownSync(Schema.Array(Org.Org))

/** A tenant of `orgs` orgs (the top-level org included), reproducible from `randomSeed`. */
export const make = (
  orgs: number,
  randomSeed: number
): Effect.Effect<Stage, BenchError, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const username = "bench"
    const password = Redacted.make(randomBytes(18).toString("base64url"))
    const seed = BenchTenant.generate(orgs, randomSeed)
    const sim = yield* Simulator.start({
      port: 0,
      seed,
      randomSeed,
      users: [{ username, password: Redacted.value(password) }]
    })
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-bench-" })
    const stage: Stage = { sim, connection: { url: sim.url, username, password }, dir }
    return stage
  }).pipe(Effect.mapError(fromCause))

/** The tenant as the server holds it now, decoded as the client decodes it. */
export const remote = (stage: Stage): ReadonlyArray<Org.Org> => decodeOrgs(stage.sim.orgs())

/** The tenant's top-level org: the org of the benchmark's account, which orgsync never blocks. */
export const topLevelUid = (orgs: ReadonlyArray<Org.Org>): string | undefined =>
  orgs.find((org) => org.parentOrgUid == null)?.orgUid

/** The desired files as orgsync reads them. */
export const desired = (path: string) => DesiredFiles.load(path)

/** What orgsync would plan for `state` against `orgs`, with no identity remembered yet. */
export const plan = (state: Desired.DesiredState, orgs: ReadonlyArray<Org.Org>): Plan.Plan =>
  Plan.make({
    desired: state,
    remote: orgs,
    identities: [],
    settings: { currentOrgUid: topLevelUid(orgs) }
  })

/** Every desired org, top-down. */
export const flatten = (state: Desired.DesiredState): ReadonlyArray<Desired.DesiredOrg> => {
  const all = [...state.orgs]
  for (let i = 0; i < all.length; i++) for (const child of all[i]!.children) all.push(child)
  return all
}
