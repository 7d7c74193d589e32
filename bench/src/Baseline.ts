/**
 * The baseline: what a user's script with the SDK does to make Code42 match an `orgs.yaml`. It walks the file
 * top-down and, for each org, looks it up by name (`getByName`, which searches the whole tenant), keeps the match
 * under the parent it has just handled, then creates, updates, blocks, unblocks, deactivates or reactivates as
 * needed. It is a fair script: it re-reads each org right before acting, so it never sends a call that the
 * tenant already makes needless, and it uses the same client, limiter and retries as orgsync.
 *
 * Run on a sample (`only`), each sampled org is handled as the walk would reach it: its parent already known
 * (here from the parent's `uid` pin), so that its cost is measured alone and can be extrapolated.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import { type Code42Error, type Org, OrgClient } from "@c42/core"
import type { Desired } from "@c42/reconcile"
import { Clock, Effect, Layer, Schema } from "effect"

/** What handling one desired org cost. */
export const OrgRecord = Schema.Struct({
  path: Schema.String,
  millis: Schema.Number,
  /** API calls sent (retries included, sign-ins not). */
  calls: Schema.Number,
  writes: Schema.Number,
  /** Answers 429 received. */
  throttled: Schema.Number,
  /** The org could not be brought in line (its error ended its handling). */
  failed: Schema.Boolean
})
export interface OrgRecord extends Schema.Schema.Type<typeof OrgRecord> {}

export const Result = Schema.Struct({
  /** From the process's start to the start of the walk: loading modules and the desired files. */
  setupMillis: Schema.Number,
  walkMillis: Schema.Number,
  signIns: Schema.Number,
  records: Schema.Array(OrgRecord)
})
export interface Result extends Schema.Schema.Type<typeof Result> {}

/** Running totals of what the client put on the wire. */
export interface Tally {
  calls: number
  writes: number
  throttled: number
  signIns: number
}

export const emptyTally = (): Tally => ({ calls: 0, writes: 0, throttled: 0, signIns: 0 })

const isSignIn = (url: string) => /\/api\/v3\/(auth\/jwt|oauth\/token)/i.test(url)

/** Wraps the HttpClient below the Code42 client so that every request it sends is counted in `tally`. */
export const countingHttpClient = (tally: Tally): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      client.pipe(
        HttpClient.tapRequest((request) =>
          Effect.sync(() => {
            if (isSignIn(request.url)) {
              tally.signIns++
            } else {
              tally.calls++
              if (request.method !== "GET") tally.writes++
            }
          })
        ),
        HttpClient.tap((response) =>
          Effect.sync(() => {
            if (response.status === 429) tally.throttled++
          })
        )
      ))
  )

/** Brings one org in line under `parentUid`; answers its orgUid, for its children. */
const converge = (client: OrgClient.OrgClient, org: Desired.DesiredOrg, parentUid: string) =>
  Effect.gen(function*() {
    const named = yield* client.getByName(org.name)
    let current: Org.Org | undefined = named.find((candidate) => candidate.parentOrgUid === parentUid)
    if (current === undefined) {
      current = yield* client.createOrg({
        orgName: org.name,
        orgExtRef: org.extRef ?? null,
        notes: org.notes ?? null,
        parentOrgUid: parentUid
      })
    } else {
      const extRef = org.extRef !== undefined && (current.orgExtRef ?? null) !== org.extRef
      const notes = org.notes !== undefined && (current.notes ?? null) !== org.notes
      if (extRef || notes) {
        yield* client.updateOrg(current.orgId, {
          ...(extRef ? { orgExtRef: org.extRef } : {}),
          ...(notes ? { notes: org.notes } : {})
        })
      }
    }
    if (org.status === "deactivated") {
      if (current.active) yield* client.deactivate(current.orgId)
    } else {
      if (!current.active) yield* client.reactivate(current.orgId)
      if (org.status === "blocked" && !current.blocked) yield* client.block(current.orgId)
      if (org.status === "active" && current.blocked) yield* client.unblock(current.orgId)
    }
    return current.orgUid
  })

/**
 * Walks `desired` (or only the orgs at the paths `only`) one org after another, as a script does, and records
 * what each cost. `tally` must be the one counting this client's requests.
 */
export const run = (
  desired: Desired.DesiredState,
  tally: Tally,
  only: ReadonlyArray<string> | undefined
): Effect.Effect<Omit<Result, "setupMillis">, Code42Error.Code42Error, OrgClient.OrgClient> =>
  Effect.gen(function*() {
    const client = yield* OrgClient.OrgClient
    const started = yield* Clock.currentTimeNanos
    const root = desired.root ?? (yield* client.getCurrent()).orgUid
    const records: Array<OrgRecord> = []

    const visit = (org: Desired.DesiredOrg, parentUid: string) =>
      Effect.gen(function*() {
        const before = { ...tally }
        const start = yield* Clock.currentTimeNanos
        const outcome = yield* Effect.either(converge(client, org, parentUid))
        const end = yield* Clock.currentTimeNanos
        records.push({
          path: org.path,
          millis: Number(end - start) / 1e6,
          calls: tally.calls - before.calls,
          writes: tally.writes - before.writes,
          throttled: tally.throttled - before.throttled,
          failed: outcome._tag === "Left"
        })
        return outcome._tag === "Right" ? outcome.right : undefined
      })

    // Every desired org with its parent, top-down (`undefined`: a child of the managed root).
    const placed: Array<{ readonly org: Desired.DesiredOrg; readonly parent: Desired.DesiredOrg | undefined }> =
      desired.orgs.map((org) => ({ org, parent: undefined }))
    for (let i = 0; i < placed.length; i++) {
      const { org } = placed[i]!
      for (const child of org.children) placed.push({ org: child, parent: org })
    }

    if (only === undefined) {
      // The whole walk: a child waits for its parent's orgUid; a failed parent ends its branch.
      const uids = new Map<Desired.DesiredOrg, string>()
      for (const { org, parent } of placed) {
        const parentUid = parent === undefined ? root : uids.get(parent)
        if (parentUid === undefined) continue
        const uid = yield* visit(org, parentUid)
        if (uid !== undefined) uids.set(org, uid)
      }
    } else {
      const byPath = new Map(placed.map((entry) => [entry.org.path, entry]))
      for (const path of only) {
        const entry = byPath.get(path)
        const parentUid = entry === undefined ? undefined : entry.parent === undefined ? root : entry.parent.uid
        if (parentUid !== undefined) yield* visit(entry!.org, parentUid)
      }
    }
    const finished = yield* Clock.currentTimeNanos
    return { walkMillis: Number(finished - started) / 1e6, signIns: tally.signIns, records }
  })

/** The client as a script configures it from the environment, its requests counted in `tally`. */
export const clientLayer = (tally: Tally) =>
  OrgClient.layerConfig.pipe(Layer.provide(countingHttpClient(tally)))
