/**
 * Applying a plan: the only place that writes to Code42. Each write is journaled before it is sent and
 * settled after, so that a crash at any point can be resolved by re-reading. Changes run with bounded
 * concurrency where the order allows: one action after another in plan order, and inside an action that
 * works top-down, one tree level after another, siblings in parallel.
 */
import { Code42Error } from "@c42/core"
import { Cause, Effect, Exit, Option, Ref } from "effect"
import * as Contest from "./Contest.js"
import { OrgApi, type OrgRef, type RemoteOrg } from "./OrgApi.js"
import * as OrgPath from "./OrgPath.js"
import type { Change, Plan } from "./Plan.js"
import { StateDb, type StateDbError } from "./StateDb.js"

export interface ApplyResult {
  readonly applied: number
  readonly failed: number
  /** Writes whose outcome is unknown (counted in `failed` too): the next re-read tells. */
  readonly unknown: number
  /** Writes that failed for a passing reason (counted in `failed` too): the next round retries them. */
  readonly transient: number
  /** The values the writes that succeeded put in Code42, for telling another writer's changes apart. */
  readonly written: ReadonlyArray<Contest.Written>
  /** One line per failed or skipped change, naming its path (refused changes aside). */
  readonly errors: ReadonlyArray<string>
  /** Changes Code42 refused by one of its rules (counted in `failed` too): sending them again would not help. */
  readonly refused: ReadonlyArray<{ readonly change: Change; readonly error: Code42Error.OrgRuleError }>
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

const restricts = (change: Change) => change.action === "block" || change.action === "deactivate"

const renames = (change: Change) => change.action === "update" && change.before?.name !== change.after?.name

const describe = (change: Change) => `${change.action} ${change.path}`

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

/**
 * Executes the plan's changes. Failures of one org are reported and do not stop the others; a create whose
 * parent could not be created is skipped. `remote` is the tree the plan was made from.
 */
export const execute = (
  plan: Plan,
  remote: ReadonlyArray<RemoteOrg>,
  options: { readonly concurrency: number; readonly runId?: number | undefined }
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
      transient: 0,
      errors: [],
      written: [],
      refused: []
    })
    const record = (
      error: string | undefined,
      how: {
        readonly unknown?: boolean
        readonly transient?: boolean
        readonly written?: ReadonlyArray<Contest.Written>
        readonly refused?: ApplyResult["refused"][number]
      } = {}
    ) =>
      Ref.update(result, (r) =>
        error === undefined
          ? { ...r, applied: r.applied + 1, written: [...r.written, ...(how.written ?? [])] }
          : {
            ...r,
            failed: r.failed + 1,
            unknown: r.unknown + (how.unknown ? 1 : 0),
            transient: r.transient + (how.transient ? 1 : 0),
            errors: how.refused === undefined ? [...r.errors, error] : r.errors,
            refused: how.refused === undefined ? r.refused : [...r.refused, how.refused]
          })

    // Same-named siblings that exist before a create, so that a later re-read can tell the new org apart.
    const children = new Map<string, Array<RemoteOrg>>()
    for (const org of remote) {
      if (org.parentOrgUid == null) continue
      const siblings = children.get(org.parentOrgUid)
      if (siblings === undefined) children.set(org.parentOrgUid, [org])
      else siblings.push(org)
    }
    const sameNamed = (parentOrgUid: string, name: string) =>
      (children.get(parentOrgUid) ?? []).filter((org) => org.orgName === name).map((org) => org.orgUid)

    const send = (change: Change): Effect.Effect<RemoteOrg | void, Code42Error.Code42Error | string> => {
      const after = change.after ?? {}
      if (change.action === "create") {
        const parentOrgUid = change.parentOrgUid ?? created.get(change.parentPath)?.orgUid
        if (parentOrgUid === undefined) return Effect.fail(`its parent ${change.parentPath} was not created`)
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
      if (target === undefined) return Effect.fail(`${change.path} was not created`)
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
          if (failedPaths.has(change.parentPath) && change.action === "create") {
            failedPaths.add(change.path)
            return yield* record(`${describe(change)}: skipped, its parent ${change.parentPath} was not created`)
          }
          // A block or deactivation reaching an org that could not be created or renamed waits: it would shut the
          // door on the create that the next round must retry, and a deactivated org is never renamed.
          const below = `${change.path}/`
          const waiting = restricts(change)
            ? [...failedPaths].find((path) => path === change.path || path.startsWith(below))
            : undefined
          if (waiting !== undefined) {
            return yield* record(`${describe(change)}: held back, ${waiting} could not be created or renamed yet`)
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
          const exit = yield* Effect.exit(restore(send(change)))
          if (Exit.isSuccess(exit)) {
            const org = exit.value
            if (org !== undefined && change.action === "create") {
              created.set(change.path, org)
              yield* db.saveIdentities([{ path: change.path, orgUid: org.orgUid, orgId: org.orgId, orgGuid: org.orgGuid }])
            }
            yield* db.journalSettle(id, "done", org === undefined ? {} : { orgUid: org.orgUid })
            const orgUid = org?.orgUid ?? change.orgUid ?? created.get(change.path)?.orgUid
            yield* audit(change, orgUid, "applied")
            return yield* record(undefined, {
              written: orgUid === undefined ? [] : Contest.writtenBy(change, { orgUid })
            })
          }
          const failure = Cause.failureOption(exit.cause)
          if (Option.isNone(failure) && !Cause.isInterruptedOnly(exit.cause)) {
            return yield* Effect.failCause(exit.cause).pipe(Effect.orDie)
          }
          // A write cut short without an error may or may not have happened: like an unknown outcome.
          const error = Option.getOrElse(
            failure,
            () => new Code42Error.UnknownOutcomeError({ operation: change.action, reason: "the request was cut short" })
          )
          const message = typeof error === "string" ? error : error.message
          if (change.action === "create" || renames(change)) failedPaths.add(change.path)
          // An unknown outcome stays unsettled: the next round re-reads the tree and adopts what happened.
          const unknown = error instanceof Code42Error.UnknownOutcomeError
          yield* audit(change, change.orgUid ?? undefined, unknown ? "unknown" : "failed")
          if (!unknown) yield* db.journalSettle(id, "failed", { error: message })
          return yield* record(`${describe(change)}: ${message}`, {
            unknown,
            transient: typeof error !== "string" && isTransient(error),
            ...(error instanceof Code42Error.OrgRuleError ? { refused: { change, error } } : {})
          })
        })
      )

    for (const batch of batches(plan.changes)) {
      yield* Effect.forEach(batch, write, { concurrency: options.concurrency, discard: true })
    }
    return yield* Ref.get(result)
  })
