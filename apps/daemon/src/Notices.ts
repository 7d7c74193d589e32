/**
 * What the daemon tells people after a pass: only what is new since the pass before (new drift, newly held
 * changes, a new refusal, new failures, a newly contested org; following git, a newly refused head commit or a
 * fetch starting to fail), and a recovery once the problems are gone, so
 * that a hand change left in place (drift: report) or a change waiting for approval is told once, not at
 * every interval. What was told is kept in the state database, so that a restart does not tell it again.
 */
import { Effect, Either, Option, Ref, Schema } from "effect"
import { type DriftReport, PlanFormat, Policy, type Reconciler, StateDb } from "@c42/reconcile"
import type { Commit } from "./GitSource.js"
import * as GitSync from "./GitSync.js"
import { type Notice, Notify } from "./Notify.js"

/** What a pass found, as far as people are told about it. */
export interface Facts {
  /** Why the pass could not run, if it could not. */
  readonly error?: string | undefined
  readonly drift: ReadonlyArray<DriftReport.Detail>
  readonly kept: ReadonlyArray<Policy.Kept>
  readonly refusal: { readonly reason: string; readonly message: string } | undefined
  /** One line per failed write. */
  readonly failures: ReadonlyArray<string>
  readonly contested: ReadonlyArray<{ readonly path: string; readonly message: string; readonly orgUids: ReadonlyArray<string> }>
  /** The git branch followed, if any. */
  readonly git?: GitSync.Trouble | undefined
}

/** What was told of git: the head refused (its sha), and whether fetches were failing. */
export interface GitSeen {
  readonly refused: string | undefined
  readonly failing: boolean
}

const nothingSeenOfGit: GitSeen = { refused: undefined, failing: false }

/** What the last pass had, to tell what is new. */
export interface Seen {
  readonly drift: ReadonlySet<string>
  readonly held: ReadonlySet<string>
  readonly refusal: string | undefined
  readonly failures: ReadonlySet<string>
  readonly contested: ReadonlySet<string>
  /** A failure, an error, a refusal or a contest was there: its end is a recovery. */
  readonly troubled: boolean
  readonly git: GitSeen
}

export const nothingSeen: Seen = {
  drift: new Set(),
  held: new Set(),
  refusal: undefined,
  failures: new Set(),
  contested: new Set(),
  troubled: false,
  git: nothingSeenOfGit
}

const driftKey = (d: DriftReport.Detail) => `${d.orgUid} ${d.field} ${d.current}`

const show = (value: string | null) => value === null ? "empty" : JSON.stringify(value)


const listed = (lines: ReadonlyArray<string>, max = 10) =>
  lines.slice(0, max).map((line) => `\n• ${line}`).join("") +
  (lines.length > max ? `\n• … and ${lines.length - max} more` : "")

/** `text` as Slack's message formatting asks: `&`, `<` and `>` escaped, so that no name reads as a link or a mention. */
export const slackText = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const described = (commit: Commit) => `commit ${commit.sha.slice(0, 7)} (${commit.subject})`

const stays = (inForce: Commit | undefined) =>
  inForce === undefined
    ? "no commit is in force yet: no pass runs until one is good"
    : `the last good ${described(inForce)} stays in force`

const commitDetails = (commit: Commit | undefined) =>
  commit === undefined ? null : { sha: commit.sha, author: commit.author, subject: commit.subject }

/**
 * The notices for the git branch followed after `seen`: a head refused, once per commit; a fetch failing, once
 * until it works again; and a recovery once a good head is in force again.
 */
export const afterGit = (
  seen: GitSeen,
  git: GitSync.Trouble | undefined,
  prefix: string
): { readonly notices: ReadonlyArray<Notice>; readonly seen: GitSeen } => {
  if (git === undefined) return { notices: [], seen: nothingSeenOfGit }
  const notices: Array<Notice> = []
  const inForce = commitDetails(git.inForce)
  if (git.refused !== undefined && git.refused.commit.sha !== seen.refused) {
    notices.push({
      event: "commit-refused",
      text: `${prefix}: ${described(git.refused.commit)} on ${git.branch} is refused: ${git.refused.reason}; ` +
        stays(git.inForce),
      details: { branch: git.branch, commit: commitDetails(git.refused.commit), reason: git.refused.reason, inForce }
    })
  }
  if (git.fetchError !== undefined && !seen.failing) {
    notices.push({
      event: "fetch-failed",
      text: `${prefix}: following git: ${git.fetchError}; ${stays(git.inForce)}`,
      details: { branch: git.branch, error: git.fetchError, inForce }
    })
  }
  const troubled = git.refused !== undefined || git.fetchError !== undefined
  if ((seen.refused !== undefined || seen.failing) && !troubled && git.inForce !== undefined) {
    notices.push({
      event: "recovered",
      text: `${prefix}: recovered: the head of ${git.branch} is good again: ${described(git.inForce)} is in force`,
      details: { git: { branch: git.branch, inForce } }
    })
  }
  return {
    notices: notices.map((notice) => ({ ...notice, text: slackText(notice.text) })),
    seen: { refused: git.refused?.commit.sha, failing: git.fetchError !== undefined }
  }
}

/** The notices for `facts` after `seen`, and what is seen now. `prefix` opens every text (e.g. the tenant), escaped as the rest. */
export const after = (
  seen: Seen,
  facts: Facts,
  prefix: string
): { readonly notices: ReadonlyArray<Notice>; readonly seen: Seen } => {
  const notices: Array<Notice> = []

  const newDrift = facts.drift.filter((d) => !seen.drift.has(driftKey(d)))
  if (newDrift.length > 0) {
    notices.push({
      event: "drift",
      text: `${prefix}: drift found, ${PlanFormat.plural(newDrift.length, "field")} changed in Code42 by hand:` +
        listed(newDrift.map((d) =>
          `${d.path}: ${d.field} is ${show(d.current)}, ` +
          (d.applied === undefined ? "never applied by orgsync" : `orgsync applied ${show(d.applied)}`)
        )),
      details: {
        drift: newDrift.map((d) => ({ ...d, seenAt: d.seenAt.toISOString() }))
      }
    })
  }

  // A change held only with a destructive one (an unblock it would undo, a create under it) is told with it.
  const held = facts.kept.filter((k) => (k.reason === "awaiting-approval" || k.reason === "never") && k.goesWith === undefined)
  const newHeld = held.filter((k) => !seen.held.has(k.checksum))
  if (newHeld.length > 0) {
    const awaiting = newHeld.filter((k) => k.reason === "awaiting-approval")
    notices.push({
      event: "held",
      text: `${prefix}: ${PlanFormat.plural(newHeld.length, "destructive change")} held:` +
        listed(newHeld.map((k) =>
          `${k.change.action} ${k.change.path} (reaches ${PlanFormat.plural(Policy.reach(k.change), "org")}) ` +
          (k.reason === "never" ? "never applied (destructive: never)" : `awaits approval: orgsync approve ${k.id}`)
        )) +
        (awaiting.length > 1 ? "\nApprove all with orgsync approve --all." : ""),
      details: {
        held: newHeld.map((k) => ({
          id: k.id,
          action: k.change.action,
          path: k.change.path,
          orgUid: k.change.orgUid,
          reach: Policy.reach(k.change),
          checksum: k.checksum,
          reason: k.reason
        }))
      }
    })
  }

  const refusal = facts.refusal === undefined ? undefined : `${facts.refusal.reason}: ${facts.refusal.message}`
  if (refusal !== undefined && refusal !== seen.refusal) {
    notices.push({
      event: "refused",
      text: `${prefix}: the plan is refused (${facts.refusal!.reason}): ${facts.refusal!.message}`,
      details: { refusal: facts.refusal }
    })
  }

  const failures = facts.error === undefined ? facts.failures : [facts.error]
  const newFailures = failures.filter((line) => !seen.failures.has(line))
  if (newFailures.length > 0) {
    notices.push({
      event: "failed",
      text: facts.error === undefined
        ? `${prefix}: ${PlanFormat.plural(newFailures.length, "write")} failed:${listed(newFailures)}`
        : `${prefix}: the pass could not run: ${facts.error}`,
      details: facts.error === undefined ? { failures: newFailures } : { error: facts.error }
    })
  }

  const newContested = facts.contested.filter((c) => !c.orgUids.some((uid) => seen.contested.has(uid)))
  if (newContested.length > 0) {
    notices.push({
      event: "contested",
      text: `${prefix}: another writer changes back what orgsync wrote; orgsync stopped writing to ` +
        `${PlanFormat.plural(newContested.length, "org")}:${listed(newContested.map((c) => c.path))}`,
      details: { contested: newContested }
    })
  }

  const troubled = failures.length > 0 || refusal !== undefined || facts.contested.length > 0
  if (seen.troubled && !troubled) {
    notices.push({
      event: "recovered",
      text: `${prefix}: recovered: the last pass ran without failures, refusals or contested orgs`,
      details: {}
    })
  }

  const git = afterGit(seen.git, facts.git, prefix)
  return {
    notices: [...notices.map((notice) => ({ ...notice, text: slackText(notice.text) })), ...git.notices],
    seen: {
      git: git.seen,
      drift: new Set(facts.drift.map(driftKey)),
      held: new Set(held.map((k) => k.checksum)),
      refusal,
      failures: new Set(failures),
      contested: new Set(facts.contested.flatMap((c) => c.orgUids)),
      troubled
    }
  }
}

/** The facts of a pass, or of a pass that could not run. */
export const factsOf = (
  result: Either.Either<Reconciler.PassResult, Reconciler.ReconcileError>,
  git?: GitSync.Trouble | undefined
): Facts =>
  Either.match(result, {
    onLeft: (error) => ({ error: error.message, drift: [], kept: [], refusal: undefined, failures: [], contested: [], git }),
    onRight: (pass) => ({
      git,
      drift: pass.driftFound,
      kept: pass.kept,
      refusal: pass.pending.refusal,
      // A write Code42 refused by one of its rules failed too: it stands as a conflict, not a write error.
      failures: [
        ...pass.writeErrors,
        ...pass.pending.conflicts.filter((conflict) => conflict.kind === "refused-by-code42").map((c) => c.message)
      ],
      contested: pass.pending.conflicts.filter((conflict) => conflict.kind === "contested")
    })
  })

const seenKey = "notified"

/** `Seen` as kept in the state database: JSON, its sets as arrays. */
const SeenJson = Schema.parseJson(Schema.Struct({
  drift: Schema.ReadonlySet(Schema.String),
  held: Schema.ReadonlySet(Schema.String),
  refusal: Schema.UndefinedOr(Schema.String),
  failures: Schema.ReadonlySet(Schema.String),
  contested: Schema.ReadonlySet(Schema.String),
  troubled: Schema.Boolean,
  // Not in a record written before orgsync followed git.
  git: Schema.optionalWith(
    Schema.Struct({ refused: Schema.UndefinedOr(Schema.String), failing: Schema.Boolean }),
    { default: () => nothingSeenOfGit }
  )
}))

/**
 * What was told before the daemon last stopped; nothing when it is not known. A record that cannot be read only
 * risks a notice told twice: one warning, and the daemon goes on (the record is written afresh after the pass).
 */
const told = (db: StateDb.StateDb["Type"]) =>
  StateDb.setting(db, seenKey, SeenJson, "what was notified before is unknown, so a notice may be told again").pipe(
    Effect.map(Option.getOrElse((): Seen => nothingSeen)),
    Effect.tapError((error) => Effect.logWarning(error.message)),
    Effect.orElseSucceed((): Seen => nothingSeen)
  )

/**
 * Tells what each pass brings that is new, when notifications are set up (a `Notify` service is there);
 * `prefix` opens every text. What was told is kept in the state database, when there is one.
 */
export const teller = (prefix: string) =>
  Effect.gen(function*() {
    const db = yield* Effect.serviceOption(StateDb.StateDb)
    const seen = yield* Ref.make(Option.isSome(db) ? yield* told(db.value) : nothingSeen)
    // What the database holds, written again only when it changes.
    const kept = yield* Ref.make<string | undefined>(undefined)
    const keep = (now: Seen) =>
      Option.isNone(db) ? Effect.void : Schema.encode(SeenJson)(now).pipe(
        Effect.flatMap((text) =>
          Effect.unlessEffect(
            Effect.zipRight(db.value.setMeta(seenKey, text), Ref.set(kept, text)),
            Effect.map(Ref.get(kept), (last) => last === text)
          )
        ),
        Effect.tapError((error) => Effect.logWarning(`${error.message}: a restart may notify it again`)),
        Effect.ignore
      )
    /** After a pass (none when there was no desired state to pass on), with what is known of git. */
    return (
      result: Option.Option<Either.Either<Reconciler.PassResult, Reconciler.ReconcileError>>,
      git: GitSync.Trouble | undefined
    ) =>
      Effect.gen(function*() {
        const notify = yield* Effect.serviceOption(Notify)
        if (Option.isNone(notify)) return
        const before = yield* Ref.get(seen)
        const next = Option.match(result, {
          onNone: () => {
            const told = afterGit(before.git, git, prefix)
            return { notices: told.notices, seen: { ...before, git: told.seen } }
          },
          onSome: (result) => after(before, factsOf(result, git), prefix)
        })
        yield* Ref.set(seen, next.seen)
        yield* keep(next.seen)
        yield* Effect.forEach(next.notices, notify.value.notify, { discard: true })
      })
  })
