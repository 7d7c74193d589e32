/**
 * Applying a plan: the only place that writes to Code42. Each write is journaled before it is sent and
 * settled after, so that a crash at any point can be resolved by re-reading. Changes run with bounded
 * concurrency where the order allows: one action after another in plan order, and inside an action that
 * works top-down, one tree level after another, siblings in parallel. Writing can be stopped at once (a
 * daemon suspended): the writes being sent, or waiting to be sent again, are cut short and settled by re-reading,
 * as writes whose answer was lost.
 */
import { Code42Error } from "@c42/core"
import { Cause, Data, Effect, Exit, identity, Option, Ref } from "effect"
import * as Contest from "./Contest.js"
import type * as Awaiting from "./internal/awaiting.js"
import { OrgApi, type OrgRef, type RemoteOrg } from "./OrgApi.js"
import * as OrgPath from "./OrgPath.js"
import { type Change, type Plan, restricts } from "./Plan.js"
import * as RemoteTree from "./RemoteTree.js"
import { StateDb, type StateDbError } from "./StateDb.js"

/** A change as its messages name it, e.g. `create Engineering/Platform`. */
export const describe = (change: Pick<Change, "action" | "path">): string => `${change.action} ${change.path}`

/**
 * Code42 refused a change or could not be asked: transient when the next round may succeed (unreachable,
 * busy, an answer lost), terminal when a person must act (a rule broken, a bad value).
 */
export class ChangeFailed extends Data.TaggedError("ChangeFailed")<{
  readonly change: Change
  readonly reason: Code42Error.Code42Error
}> {
  get transient(): boolean {
    return isTransient(this.reason)
  }
  override get message(): string {
    return `${describe(this.change)}: ${this.reason.message}`
  }
}

/**
 * A change not sent because one it depends on failed first: the org it acts on or its parent was not
 * created, or a block or deactivation would reach an org not yet created or renamed. The next round retries
 * it once what it waits on is done.
 */
export class ChangeWaiting extends Data.TaggedError("ChangeWaiting")<{
  readonly change: Change
  /** How the change's message goes on, e.g. `skipped, its parent Legal was not created`. */
  readonly detail: string
}> {
  override get message(): string {
    return `${describe(this.change)}: ${this.detail}`
  }
}

export type ChangeFailure = ChangeFailed | ChangeWaiting

/**
 * Writing stopped while a write was being sent or waited to be sent again (its retries): it is cut short, and
 * may or may not have reached Code42.
 */
export class WritingStopped extends Data.TaggedError("WritingStopped") {
  override get message(): string {
    return "writing was suspended while it was being sent"
  }
}

/** A write whose answer never came: it may or may not have happened, the next re-read tells. */
export interface Uncertain {
  readonly change: Change
  /** Its `UnknownOutcomeError`, or the interruption that cut it short. */
  readonly error: ChangeFailed
  /**
   * Cut short because writing stopped (`WritingStopped`): not done by the re-read's account, it is left pending
   * with the writes not sent, not failed.
   */
  readonly stopped: boolean
}

export interface ApplyResult {
  readonly applied: number
  /** Writes that failed or were not sent; not those whose outcome is unknown. */
  readonly failed: number
  /** Writes whose outcome is unknown (`uncertain.length`). */
  readonly unknown: number
  readonly uncertain: ReadonlyArray<Uncertain>
  /** Writes that failed for a passing reason, unknown outcomes included: the next round retries them. */
  readonly transient: number
  /** One per failed or skipped change (refused changes aside). */
  readonly errors: ReadonlyArray<ChangeFailure>
  /** Changes Code42 refused by one of its rules (counted in `failed` too): sending them again would not help. */
  readonly refused: ReadonlyArray<{ readonly change: Change; readonly error: Code42Error.OrgRuleError }>
  /** Writes not sent because writing stopped (`mayWrite` said no): still pending, not failed, not journaled. */
  readonly notSent: number
  /** Writing stopped during the execution: `mayWrite` said no, or `guard` cut a write short. */
  readonly stopped: boolean
}

/**
 * Blocks and deactivations go together: each is planned on the topmost org that needs it, and a blocked org
 * is never desired below a deactivated one, so they never depend on each other.
 */
const phase = (change: Change) => change.action === "block" ? "deactivate" : change.action

/** Groups consecutive changes of one phase, then by tree depth where parents must go first. */
const batches = (changes: ReadonlyArray<Change>): ReadonlyArray<ReadonlyArray<Change>> => {
  const result: Array<Array<Change>> = []
  let previous: Change | undefined
  for (const change of changes) {
    const topDown = change.action === "create" || change.action === "reactivate" || change.action === "unblock"
    const sameBatch = previous !== undefined && phase(previous) === phase(change) &&
      (!topDown || OrgPath.split(previous.path).length === OrgPath.split(change.path).length)
    if (sameBatch) result[result.length - 1]!.push(change)
    else result.push([change])
    previous = change
  }
  return result
}

/** A failure that says "try again later" rather than "this is wrong": Code42 unreachable, busy, or silent. */
export const isTransient = (error: Code42Error.Code42Error): boolean =>
  error._tag === "TransportError" || error._tag === "ServerError" || error._tag === "RateLimitedError" ||
  error._tag === "UnknownOutcomeError"

const renames = (change: Change) => change.action === "update" && change.before?.name !== change.after?.name

/**
 * The audit line of one write, in the log's format: `action=block path=... orgUid=... cause=desired
 * result=applied`; `unknown` when it may or may not have happened (the next read tells).
 */
const audit = (change: Change, orgUid: string | undefined, result: "applied" | "failed" | "unknown") =>
  Effect.logInfo("audit").pipe(Effect.annotateLogs({
    action: change.action,
    path: change.path,
    orgUid: orgUid ?? "",
    cause: change.cause,
    result
  }))

export interface ExecuteOptions {
  readonly concurrency: number
  readonly runId?: number | undefined
  /**
   * Asked before each write with its change (a daemon suspended meanwhile, or the change rejected meanwhile,
   * says no): once it says no, no further write of the plan is sent; those in flight settle as usual.
   */
  readonly mayWrite?: ((change: Change) => Effect.Effect<boolean>) | undefined
  /**
   * Runs the sending of each write, its retries included, and may cut it short with `WritingStopped` (a daemon
   * suspended meanwhile): no further write of the plan is sent then, and the write cut short is left unsettled
   * in the journal for the next re-read, as a write whose answer was lost.
   */
  readonly guard?: (<A, E>(send: Effect.Effect<A, E>) => Effect.Effect<A, E | WritingStopped>) | undefined
  /** Where the pass keeps what its writes showed: the writes answered with success, the creates answered 5xx. */
  readonly evidence?: Awaiting.Evidence | undefined
}

/**
 * Executes the plan's changes. Failures of one org are reported and do not stop the others; a create whose
 * parent could not be created is skipped. `remote` is the tree the plan was made from.
 */
export const execute = (
  plan: Plan,
  remote: ReadonlyArray<RemoteOrg>,
  options: ExecuteOptions
): Effect.Effect<ApplyResult, StateDbError, OrgApi | StateDb> =>
  Effect.gen(function*() {
    const api = yield* OrgApi
    const db = yield* StateDb
    const created = new Map<string, RemoteOrg>()
    const failedPaths = new Set<string>()
    const result = yield* Ref.make<ApplyResult>({
      applied: 0,
      failed: 0,
      unknown: 0,
      uncertain: [],
      transient: 0,
      errors: [],
      refused: [],
      notSent: 0,
      stopped: false
    })
    // Set once `mayWrite` says no: the writes after it are not sent either, even if it would say yes again.
    let stopped = false
    const mayWrite = options.mayWrite ?? (() => Effect.succeed(true))
    const guard = options.guard ?? identity
    const record = (
      outcome:
        | { readonly _tag: "Applied" }
        | { readonly _tag: "NotSent" }
        | { readonly _tag: "Unknown"; readonly uncertain: Uncertain }
        | ChangeFailure
    ) =>
      Ref.update(result, (r): ApplyResult => {
        switch (outcome._tag) {
          case "Applied":
            return { ...r, applied: r.applied + 1 }
          case "NotSent":
            return { ...r, notSent: r.notSent + 1 }
          case "Unknown":
            return {
              ...r,
              unknown: r.unknown + 1,
              uncertain: [...r.uncertain, outcome.uncertain],
              transient: r.transient + 1
            }
          case "ChangeWaiting":
            return { ...r, failed: r.failed + 1, errors: [...r.errors, outcome] }
          case "ChangeFailed": {
            const { reason } = outcome
            return {
              ...r,
              failed: r.failed + 1,
              transient: r.transient + (outcome.transient ? 1 : 0),
              // Refused by a rule of Code42's: a conflict to show, not an error to retry.
              errors: reason._tag === "OrgRuleError" ? r.errors : [...r.errors, outcome],
              refused: reason._tag === "OrgRuleError"
                ? [...r.refused, { change: outcome.change, error: reason }]
                : r.refused
            }
          }
        }
      })

    // Same-named siblings that exist before a create, so that a later re-read can tell the new org apart.
    const { children } = RemoteTree.index(remote)
    const sameNamed = (parentOrgUid: string, name: string) =>
      (children.get(parentOrgUid) ?? []).filter((org) => org.orgName === name).map((org) => org.orgUid)

    const send = (change: Change): Effect.Effect<RemoteOrg | void, Code42Error.Code42Error | ChangeWaiting> => {
      const after = change.after ?? {}
      if (change.action === "create") {
        const parentOrgUid = change.parentOrgUid ?? created.get(change.parentPath)?.orgUid
        if (parentOrgUid === undefined) {
          return Effect.fail(new ChangeWaiting({ change, detail: `its parent ${change.parentPath} was not created` }))
        }
        return api.create({
          orgName: after.name!,
          orgExtRef: after.extRef ?? null,
          notes: after.notes ?? null,
          parentOrgUid
        })
      }
      // A block or deactivation may target an org this plan has just created.
      const target: OrgRef | undefined = change.orgUid === null
        ? created.get(change.path)
        : { orgUid: change.orgUid, orgId: change.orgId ?? undefined }
      if (target === undefined) return Effect.fail(new ChangeWaiting({ change, detail: `${change.path} was not created` }))
      return change.action === "update"
        ? api.update(target, {
          ...(after.name !== undefined ? { orgName: after.name } : {}),
          ...(after.extRef !== undefined ? { orgExtRef: after.extRef } : {}),
          ...(after.notes !== undefined ? { notes: after.notes } : {})
        })
        : api.act(change.action, target)
    }

    // Journal, send, settle: the journal's bookkeeping is never split by an interruption, so a shutdown never
    // leaves a write without its entry; the send itself stays interruptible (its client timeout, SIGTERM), and a
    // send cut short leaves its entry unsettled for the next start to resolve by re-reading.
    const write = (change: Change) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function*() {
          if (stopped || !(yield* mayWrite(change))) {
            stopped = true
            return yield* record({ _tag: "NotSent" })
          }
          if (failedPaths.has(change.parentPath) && change.action === "create") {
            failedPaths.add(change.path)
            return yield* record(
              new ChangeWaiting({ change, detail: `skipped, its parent ${change.parentPath} was not created` })
            )
          }
          // A block or deactivation reaching an org that could not be created or renamed waits: it would shut the
          // door on the create that the next round must retry, and a deactivated org is never renamed.
          const below = `${change.path}/`
          const waiting = restricts(change)
            ? [...failedPaths].find((path) => path === change.path || path.startsWith(below))
            : undefined
          if (waiting !== undefined) {
            return yield* record(
              new ChangeWaiting({ change, detail: `held back, ${waiting} could not be created or renamed yet` })
            )
          }
          const parentOrgUid = change.action === "create"
            ? change.parentOrgUid ?? created.get(change.parentPath)?.orgUid ?? null
            : null
          const id = yield* db.journalBegin({
            runId: options.runId,
            action: change.action,
            path: change.path,
            orgUid: change.orgUid ?? created.get(change.path)?.orgUid ?? null,
            parentOrgUid,
            orgName: change.action === "create" ? change.after?.name ?? null : null,
            preexisting: parentOrgUid === null ? [] : sameNamed(parentOrgUid, change.after?.name ?? "")
          })
          const exit = yield* Effect.exit(restore(guard(send(change))))
          if (Exit.isSuccess(exit)) {
            const org = exit.value
            if (org !== undefined && change.action === "create") {
              created.set(change.path, org)
              yield* db.saveIdentities([{ path: change.path, orgUid: org.orgUid, orgId: org.orgId, orgGuid: org.orgGuid }])
            }
            yield* db.journalSettle(id, "done", org === undefined ? {} : { orgUid: org.orgUid })
            const orgUid = org?.orgUid ?? change.orgUid ?? created.get(change.path)?.orgUid
            // Recorded write by write: a pass cut short between two writes still knows what it wrote.
            if (orgUid !== undefined && options.runId !== undefined) {
              yield* db.history.wrote(options.runId, Contest.writtenBy(change, { orgUid }))
            }
            const { evidence } = options
            if (orgUid !== undefined && evidence !== undefined) {
              evidence.confirmed.push({ change, orgUid, answered: ++evidence.answered })
            }
            yield* audit(change, orgUid, "applied")
            return yield* record({ _tag: "Applied" })
          }
          const failure = Cause.failureOption(exit.cause)
          if (Option.isNone(failure) && !Cause.isInterruptedOnly(exit.cause)) {
            return yield* Effect.failCause(exit.cause).pipe(Effect.orDie)
          }
          // A write cut short, without an error or because writing stopped, may or may not have happened: like an
          // unknown outcome.
          const cut = Option.exists(failure, (e) => e._tag === "WritingStopped")
          if (cut) stopped = true
          const reason = Option.getOrElse(
            Option.filter(failure, (e): e is Code42Error.Code42Error | ChangeWaiting => e._tag !== "WritingStopped"),
            () =>
              new Code42Error.UnknownOutcomeError({
                operation: change.action,
                reason: cut ? new WritingStopped().message : "the request was cut short"
              })
          )
          if (change.action === "create" || renames(change)) failedPaths.add(change.path)
          if (reason._tag === "ChangeWaiting") {
            yield* audit(change, change.orgUid ?? undefined, "failed")
            yield* db.journalSettle(id, "failed", { error: reason.detail })
            return yield* record(reason)
          }
          const error = new ChangeFailed({ change, reason })
          // An unknown outcome stays unsettled: the next round re-reads the tree and adopts what happened.
          if (reason._tag === "UnknownOutcomeError") {
            // How it was answered tells how long a listing that does not show it must be waited for.
            if (change.action === "create") {
              const answer = reason.accepted === true
                ? "accepted"
                : reason.status !== undefined && reason.status >= 500
                ? "server-error"
                : "lost"
              yield* db.journalAnswered(id, answer)
              const { evidence } = options
              if (answer === "server-error" && evidence !== undefined) evidence.serverErrors.set(id, ++evidence.answered)
            }
            yield* audit(change, change.orgUid ?? undefined, "unknown")
            return yield* record({ _tag: "Unknown", uncertain: { change, error, stopped: cut } })
          }
          yield* audit(change, change.orgUid ?? undefined, "failed")
          yield* db.journalSettle(id, "failed", { error: reason.message })
          return yield* record(error)
        })
      )

    for (const batch of batches(plan.changes)) {
      yield* Effect.forEach(batch, write, { concurrency: options.concurrency, discard: true })
    }
    return { ...yield* Ref.get(result), stopped }
  })
