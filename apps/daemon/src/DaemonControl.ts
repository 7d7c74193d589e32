/**
 * What people decide about the running daemon, and what they are shown to decide it: the changes the policy
 * holds, their approvals and rejections, the drift in detail, and suspension. The admin API changes it; the
 * loop reads the decisions at the start of a pass and records what the pass held and found at its end.
 *
 * An approval covers one held change by its checksum and lasts one pass: the next pass applies the change if
 * it plans exactly that change again, and otherwise the approval lapses. A pass that may not write (suspended)
 * keeps an approval for a later one only while it still plans the change: once a plan drops it, the approval
 * lapses, and the same change planned again later needs a new one. A rejection keeps the change held
 * (not applied, no longer awaiting approval) for as long as it is planned unchanged; given during the pass that
 * applies the change, it stops the change if it is not sent yet, and is refused as too late if it is. Approvals, rejections and
 * suspension are kept in the state database, so that a restart neither lifts nor forgets them; a database
 * that cannot be written is said in the log, and the decision then holds until the daemon stops.
 *
 * A suspension is answered only once no write reaches Code42 any more: the writes being sent, or waiting to be
 * sent again after a lost answer, are cut short (their outcome unknown until the pass re-reads Code42), not
 * waited for.
 */
import { Clock, Context, Data, Effect, Option, Queue, Ref, Schema, type Scope, Stream, SubscriptionRef } from "effect"
import { Apply, type DriftReport, type Plan, Policy, type Reconciler, StateDb } from "@c42/reconcile"
import * as Suspension from "./Suspension.js"

export interface Held extends Policy.Kept {
  /** When a pass first held this very change. */
  readonly since: Date
}

export interface State {
  readonly policy: Policy.Policy
  /** Kept back by the last pass, except drift under `report` (shown with the drift). */
  readonly held: ReadonlyArray<Held>
  /** Approved checksums, with when, waiting for the next pass. */
  readonly approved: ReadonlyMap<string, Date>
  readonly rejected: ReadonlySet<string>
  /** Approved checksums whose writes the pass has started sending: too late to reject. */
  readonly applying: ReadonlySet<string>
  /** Since when no write is made; `undefined`: not suspended. */
  readonly suspended: Date | undefined
  /** Writes being sent now, their retries included: a suspension cuts them short and waits until they stop. */
  readonly writing: number
  /** The drift the last pass that reached Code42 found. */
  readonly drift: ReadonlyArray<DriftReport.Detail & { readonly healed: boolean }>
}

/** An admin request that names no change that can be decided now. */
export class ControlError extends Data.TaggedError("ControlError")<{
  readonly reason: "not-held" | "not-approvable" | "nothing-named" | "too-late"
  readonly message: string
}> {}

export class DaemonControl extends Context.Tag("@c42/daemon/DaemonControl")<DaemonControl, {
  readonly state: SubscriptionRef.SubscriptionRef<State>
  /** Approves held changes by id (or checksum); `"all"`: every change awaiting approval. Asks for a pass. */
  readonly approve: (ids: ReadonlyArray<string> | "all") => Effect.Effect<ReadonlyArray<Held>, ControlError>
  readonly reject: (ids: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<Held>, ControlError>
  /** Answers whether this changed anything, once no write is being sent any more. */
  readonly suspend: Effect.Effect<boolean>
  /** Answers whether this changed anything; asks for a pass. */
  readonly resume: Effect.Effect<boolean>
  /** The policy of the passes that start from now on (SIGHUP). */
  readonly setPolicy: (policy: Policy.Policy) => Effect.Effect<void>
  /** The decisions for a pass about to start; `finish` records what it held and found. */
  readonly begin: Effect.Effect<{
    readonly policy: Policy.Policy
    readonly suspended: boolean
    readonly decisions: Policy.Decisions
    /**
     * Asked before each write of the pass: no once suspended, and no for an approved change (or one held with
     * it) rejected since; yes marks the approval as being applied, after which a rejection is too late.
     */
    readonly mayWrite: (change: Plan.Change) => Effect.Effect<boolean>
    /** Runs the sending of each write of the pass: a suspension cuts it short (`Apply.WritingStopped`). */
    readonly guard: <A, E>(send: Effect.Effect<A, E>) => Effect.Effect<A, E | Apply.WritingStopped>
    /** `undefined`: the pass could not run; its approvals wait for the next. */
    readonly finish: (pass: Reconciler.PassResult | undefined) => Effect.Effect<void>
  }>
  /** One element per request for a pass (an approval, a resume). */
  readonly passRequests: Stream.Stream<void>
}>() {}

const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis))

/** When each held change was first held, by checksum, as the state database keeps it across restarts. */
const heldSinceKey = "held_since"
const HeldSince = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Date }))

const matches = (held: Held, id: string) => held.id === id || held.checksum === id

/** The pass's drift, each marked whether the pass reverted it: nothing of it is left pending. */
const healed = (pass: Reconciler.PassResult): State["drift"] => {
  const left = new Set(pass.pending.changes.filter((c) => c.cause === "drift").map((c) => c.orgUid))
  return pass.driftFound.map((d) => ({ ...d, healed: !pass.dryRun && !left.has(d.orgUid) }))
}

export const make = (policy: Policy.Policy): Effect.Effect<DaemonControl["Type"], never, StateDb.StateDb | Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const stored = yield* Suspension.read(db).pipe(
      Effect.tapError((error) => Effect.logWarning(`${error.message}: suspension unknown, taken as not suspended`)),
      Effect.orElseSucceed(() => Option.none<{ readonly since: Date | undefined }>())
    )
    const startedAt = yield* now
    const decided = yield* db.decisions.all.pipe(
      Effect.tapError((error) => Effect.logWarning(`${error.message}: approvals and rejections given before are unknown`)),
      Effect.orElseSucceed(() => [])
    )
    // Until the first pass holds them again: when the changes held before the start were first held.
    const heldBefore = yield* StateDb.setting(db, heldSinceKey, HeldSince, "held changes are shown held since this start").pipe(
      Effect.map(Option.match({ onNone: () => new Map<string, Date>(), onSome: (since) => new Map(Object.entries(since)) })),
      Effect.tapError((error) => Effect.logWarning(error.message)),
      Effect.orElseSucceed(() => new Map<string, Date>()),
      Effect.flatMap(Ref.make)
    )
    const state = yield* SubscriptionRef.make<State>({
      policy,
      held: [],
      approved: new Map(decided.filter((d) => d.decision === "approved").map((d) => [d.checksum, d.decidedAt])),
      rejected: new Set(decided.filter((d) => d.decision === "rejected").map((d) => d.checksum)),
      applying: new Set(),
      // A date that does not read: suspended since this start, as far as can be told.
      suspended: Option.getOrUndefined(Option.map(stored, ({ since }) => since ?? startedAt)),
      writing: 0,
      drift: []
    })
    const requests = yield* Queue.dropping<void>(1)
    const requestPass = Queue.offer(requests, undefined)

    /** Writes decisions through to the state database; a failure leaves them in memory only, and says so. */
    const keep = <E extends { readonly message: string }>(write: Effect.Effect<void, E>) =>
      write.pipe(
        Effect.tapError((error) => Effect.logWarning(`${error.message}: the decision holds until the daemon stops`)),
        Effect.ignore
      )

    /** Writes when the changes held now were first held to the state database, when it changed. */
    const keptSince = yield* Ref.make<string | undefined>(undefined)
    const keepSince = Effect.gen(function*() {
      const { held } = yield* SubscriptionRef.get(state)
      const text = yield* Schema.encode(HeldSince)(Object.fromEntries(held.map((h) => [h.checksum, h.since])))
      if ((yield* Ref.get(keptSince)) === text) return
      yield* db.setMeta(heldSinceKey, text)
      yield* Ref.set(keptSince, text)
    }).pipe(
      Effect.tapError((error) => Effect.logWarning(`${error.message}: after a restart, held changes are shown held since it`)),
      Effect.ignore
    )

    /**
     * The held changes `ids` name (an id names every change held with the same destructive change), or why a
     * request cannot be granted.
     */
    const named = (ids: ReadonlyArray<string>, held: ReadonlyArray<Held>) =>
      Effect.gen(function*() {
        if (ids.length === 0) return yield* new ControlError({ reason: "nothing-named", message: "no held change named" })
        const found: Array<Held> = []
        for (const id of ids) {
          const change = held.find((h) => matches(h, id))
          if (change === undefined) {
            const now = held.filter(Policy.approvable).map((h) => h.id)
            return yield* new ControlError({
              reason: "not-held",
              message: `no held change ${id}: the plan may have changed since; ` +
                (now.length === 0 ? "nothing is held now" : `held now: ${now.join(", ")}`)
            })
          }
          if (!Policy.approvable(change)) {
            return yield* new ControlError({
              reason: "not-approvable",
              message: `${change.change.action} ${change.change.path} is never applied (destructive: never): ` +
                "change the setting to apply it"
            })
          }
          found.push(...held.filter((h) => h.checksum === change.checksum && !found.includes(h)))
        }
        return found
      })

    const approve = (ids: ReadonlyArray<string> | "all") =>
      Effect.gen(function*() {
        const current = yield* SubscriptionRef.get(state)
        const chosen = ids === "all"
          ? current.held.filter((h) => h.reason === "awaiting-approval")
          : yield* named(ids, current.held)
        if (chosen.length === 0) {
          return yield* new ControlError({ reason: "not-held", message: "nothing awaits approval now" })
        }
        const at = yield* now
        yield* keep(db.decisions.decide([...new Set(chosen.map((h) => h.checksum))], "approved", at))
        yield* SubscriptionRef.update(state, (s) => ({
          ...s,
          approved: new Map([...s.approved, ...chosen.map((h) => [h.checksum, at] as const)]),
          rejected: new Set([...s.rejected].filter((sum) => !chosen.some((h) => h.checksum === sum)))
        }))
        for (const h of chosen) {
          yield* Effect.logInfo("approved").pipe(
            Effect.annotateLogs({ id: h.id, action: h.change.action, path: h.change.path, checksum: h.checksum })
          )
        }
        yield* requestPass
        return chosen
      })

    const reject = (ids: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        // Checked and recorded at once with the pass's `mayWrite`: a write is either stopped or refused here.
        const chosen = yield* SubscriptionRef.modifyEffect(state, (s) =>
          Effect.gen(function*() {
            const chosen = yield* named(ids, s.held)
            const late = chosen.find((h) => s.applying.has(h.checksum))
            if (late !== undefined) {
              return yield* new ControlError({
                reason: "too-late",
                message: `${late.id} (${late.change.action} ${late.change.path}) is already being applied: ` +
                  "too late to reject it"
              })
            }
            const sums = new Set(chosen.map((h) => h.checksum))
            return [chosen, {
              ...s,
              approved: new Map([...s.approved].filter(([sum]) => !sums.has(sum))),
              rejected: new Set([...s.rejected, ...sums]),
              held: s.held.map((h) => sums.has(h.checksum) ? { ...h, reason: "rejected" as const } : h)
            }] as const
          })
        )
        yield* keep(db.decisions.decide([...new Set(chosen.map((h) => h.checksum))], "rejected", yield* now))
        for (const h of chosen) {
          yield* Effect.logInfo("rejected").pipe(
            Effect.annotateLogs({ id: h.id, action: h.change.action, path: h.change.path, checksum: h.checksum })
          )
        }
        return chosen
      })

    const setSuspended = (suspend: boolean) =>
      Effect.gen(function*() {
        const at = yield* now
        const changed = yield* SubscriptionRef.modify(state, (s) =>
          (s.suspended !== undefined) === suspend
            ? [false, s]
            : [true, { ...s, suspended: suspend ? at : undefined }])
        if (!changed) return false
        yield* db.setMeta(Suspension.key, suspend ? at.toISOString() : "").pipe(
          Effect.tapError((error) => Effect.logWarning(`${error.message}: the suspension holds until the daemon stops`)),
          Effect.ignore
        )
        yield* Effect.logWarning(suspend ? "suspended: no write is made until resumed (orgsync resume)" : "resumed")
        if (!suspend) yield* requestPass
        return true
      })

    const stopped = Effect.fail(new Apply.WritingStopped())
    // Counted in the same update that checks the suspension, so that a suspension either waits for the write or
    // stops it before it is sent.
    const guard = <A, E>(send: Effect.Effect<A, E>): Effect.Effect<A, E | Apply.WritingStopped> =>
      Effect.acquireUseRelease(
        SubscriptionRef.modify(state, (s): readonly [boolean, State] =>
          s.suspended !== undefined ? [false, s] : [true, { ...s, writing: s.writing + 1 }]),
        (started) =>
          started
            ? Effect.raceFirst(
              send,
              state.changes.pipe(Stream.filter((s) => s.suspended !== undefined), Stream.runHead, Effect.zipRight(stopped))
            )
            : stopped,
        (started) => started ? SubscriptionRef.update(state, (s) => ({ ...s, writing: s.writing - 1 })) : Effect.void
      )
    const writesStopped = state.changes.pipe(Stream.filter((s) => s.writing === 0), Stream.runHead, Effect.asVoid)

    const begin = Effect.gen(function*() {
      const at = yield* SubscriptionRef.get(state)
      const suspended = at.suspended !== undefined
      // A suspended pass makes no write: the approvals wait for one that may.
      const offered = suspended ? new Map<string, Date>() : at.approved
      // The approvals a round of the pass acted on; the others have lapsed by the end of it.
      const used = new Set<string>()
      const decisions: Policy.Decisions = {
        approved: (sum) => offered.has(sum) && (used.add(sum), true),
        rejected: (sum) => at.rejected.has(sum)
      }
      // The approval each held change goes with (its own, or that of the change it is held with).
      const approval = new Map(at.held.map((h) => [Policy.checksum(h.change), h.checksum]))
      const mayWrite = (change: Plan.Change) =>
        SubscriptionRef.modify(state, (s): readonly [boolean, State] => {
          if (s.suspended !== undefined) return [false, s]
          const sum = approval.get(Policy.checksum(change))
          if (sum === undefined || !offered.has(sum)) return [true, s]
          if (s.rejected.has(sum)) return [false, s]
          return [true, s.applying.has(sum) ? s : { ...s, applying: new Set([...s.applying, sum]) }]
        })
      const finish = (pass: Reconciler.PassResult | undefined) =>
        Effect.gen(function*() {
          if (pass === undefined) return yield* SubscriptionRef.update(state, (s) => ({ ...s, applying: new Set<string>() }))
          const { kept } = pass
          const drift = healed(pass)
          const stillHeld = new Set(kept.map((k) => k.checksum))
          const time = yield* now
          // A pass a suspension or a rejection stopped leaves the changes it could not send to the next pass: their
          // approvals wait for it, and their rejections stand.
          const unsent = new Set(pass.stopped ? pass.pending.changes.map(Policy.checksum) : [])
          const stands = (sum: string) => stillHeld.has(sum) || unsent.has(sum)
          const before = yield* Ref.getAndSet(heldBefore, new Map())
          const [done, lapsed, rerun] = yield* SubscriptionRef.modify(state, (s) => {
            const since = new Map([...before, ...s.held.map((h) => [h.checksum, h.since] as const)])
            // The approvals this pass was offered are used or lapsed; the others (a suspended pass's, those
            // given meanwhile) wait for the next pass while this one still holds their change, and lapse otherwise.
            const spent = new Set([...s.approved.keys()].filter((sum) =>
              !unsent.has(sum) && (offered.has(sum) || !stillHeld.has(sum))
            ))
            const moot = [...s.rejected].filter((sum) => !stands(sum))
            // Rejected while the pass was running, and so not sent: still held, as rejected.
            const stopped = s.held.filter((h) => !stillHeld.has(h.checksum) && unsent.has(h.checksum) && s.rejected.has(h.checksum))
            return [[[...spent, ...moot], [...spent].filter((sum) => !used.has(sum)), pass.stopped && s.suspended === undefined], {
              ...s,
              held: [
                ...kept.filter((k) => k.reason !== "drift").map((k) => ({ ...k, since: since.get(k.checksum) ?? time })),
                ...stopped.map((h) => ({ ...h, reason: "rejected" as const }))
              ],
              approved: new Map([...s.approved].filter(([sum]) => !spent.has(sum))),
              rejected: new Set([...s.rejected].filter(stands)),
              applying: new Set<string>(),
              drift
            }] as const
          })
          yield* keep(db.decisions.forget(done))
          yield* keepSince
          for (const sum of lapsed) {
            yield* Effect.logWarning(
              `approval of ${Policy.idOf(sum)} lapsed: the plan changed, and the change it covers is planned no more`
            ).pipe(Effect.annotateLogs({ checksum: sum }))
          }
          // Stopped by a rejection, not a suspension: the other changes are sent by a pass started at once.
          if (rerun) yield* requestPass
        })
      return { policy: at.policy, suspended, decisions, mayWrite, guard, finish }
    })

    return DaemonControl.of({
      state,
      approve,
      reject,
      suspend: Effect.zipLeft(setSuspended(true), writesStopped),
      resume: setSuspended(false),
      setPolicy: (policy) => SubscriptionRef.update(state, (s) => ({ ...s, policy })),
      begin,
      passRequests: Stream.fromQueue(requests)
    })
  })
