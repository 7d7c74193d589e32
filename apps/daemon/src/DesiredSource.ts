/**
 * Where each pass reads the desired state: the files on disk, or the files at the commit fetched from the git
 * branch followed (the fetch is this module's: what it finds, and why it failed, go to the status, the metrics
 * and the log). Files that do not validate are reported once, not at every pass, and the last state that
 * validated stays in force, with the commit it was read at. The last good commit is kept in the state database,
 * so that after a restart it is in force again when the branch's head does not validate or cannot be read.
 */
import { Clock, Effect, Option, Ref, Schema, SubscriptionRef } from "effect"
import { Desired, DesiredFiles, PlanFormat, StateDb } from "@c42/reconcile"
import * as DaemonMetrics from "./DaemonMetrics.js"
import * as DaemonStatus from "./DaemonStatus.js"
import * as GitSource from "./GitSource.js"
import * as GitSync from "./GitSync.js"

/** Where the desired files are: a path on disk, or a git branch to follow. */
export interface Location {
  readonly desiredPath: string
  readonly git?: GitSource.GitSettings | undefined
}

/** The desired state in force, with the git commit it was read at. */
export interface InForce {
  readonly desired: Desired.DesiredState
  readonly commit?: GitSource.Commit
}

/** The last good commit, with the repository, branch and path it was read from. */
const LastGood = Schema.parseJson(Schema.Struct({
  repo: Schema.String,
  branch: Schema.String,
  path: Schema.String,
  sha: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{40,64}$/))
}))

const lastGoodKey = "git_last_good"

const sameTarget = (a: GitSource.GitSettings, b: GitSource.GitSettings) =>
  a.repo === b.repo && a.branch === b.branch && a.path === b.path

export const make = Effect.gen(function*() {
  const status = yield* DaemonStatus.DaemonStatus
  const gitSource = yield* Effect.serviceOption(GitSource.GitSource)
  const db = yield* Effect.serviceOption(StateDb.StateDb)
  // Whether the last good commit kept in the state database was looked for since start.
  const restored = yield* Ref.make(false)
  // The state in force, with the git commit it was read at.
  const good = yield* Ref.make(Option.none<InForce>())
  // The issues last logged, so that a file that stays invalid is not reported again at every pass.
  const reported = yield* Ref.make("")

  /** Applies a transition to what the status knows of git, with the metrics and the log lines it calls for. */
  const recordGit = (transition: (state: GitSync.GitState) => GitSync.GitState) =>
    Effect.flatMap(
      SubscriptionRef.modify(status, (state) => {
        const after = state.git === undefined ? undefined : transition(state.git)
        return [{ before: state.git, after }, { ...state, git: after }] as const
      }),
      ({ after, before }) =>
        before === undefined || after === undefined
          ? Effect.void
          : Effect.zipRight(GitSync.recordMetrics(before, after), GitSync.log(before, after))
    )

  /** Where to read the desired files: the path on disk, or the fetched commit's files; none when a fetch failed. */
  const locate = (settings: Location) =>
    settings.git === undefined || Option.isNone(gitSource)
      ? Effect.succeedSome<{ readonly path: string; readonly checkout: GitSource.Checkout | undefined }>({
        path: settings.desiredPath,
        checkout: undefined
      })
      : gitSource.value.sync(settings.git).pipe(
        Effect.tap((checkout) => recordGit(GitSync.fetched(checkout))),
        Effect.map((checkout) => Option.some({ path: checkout.desired, checkout })),
        Effect.catchAll((error) =>
          Effect.gen(function*() {
            // After a start, the last good commit is in force again before anything is said of the fetch.
            if (settings.git !== undefined) yield* Effect.flatMap(Ref.get(good), orRestored(settings))
            yield* recordGit(GitSync.fetchFailed(error))
            return Option.none<{ readonly path: string; readonly checkout: GitSource.Checkout }>()
          })
        )
      )

  /** Records `commit` as the last good one, unless it already is. */
  const keepLastGood = (git: GitSource.GitSettings, commit: GitSource.Commit) =>
    Option.isNone(db) ? Effect.void : Effect.gen(function*() {
      const text = yield* Schema.encode(LastGood)({ repo: git.repo, branch: git.branch, path: git.path, sha: commit.sha })
      const before = yield* db.value.getMeta(lastGoodKey)
      if (Option.getOrUndefined(before) !== text) yield* db.value.setMeta(lastGoodKey, text)
    }).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(`${error.message}: after a restart, no commit is in force until the branch's head validates`)
      )
    )

  /**
   * After a start, when the branch's head cannot be read or does not validate: the last good commit kept in the
   * state database, written out again from orgsync's repository. Looked for once.
   */
  const restore = (git: GitSource.GitSettings) =>
    Effect.gen(function*() {
      if (Option.isNone(db) || Option.isNone(gitSource) || (yield* Ref.getAndSet(restored, true))) {
        return Option.none<InForce>()
      }
      const kept = yield* StateDb.setting(db.value, lastGoodKey, LastGood)
      if (Option.isNone(kept) || !sameTarget(kept.value, git)) return Option.none<InForce>()
      const checkout = yield* gitSource.value.at(git, kept.value.sha)
      const desired = GitSync.relabel(yield* DesiredFiles.load(checkout.desired), checkout)
      const inForce: InForce = { desired, commit: checkout.commit }
      yield* Ref.set(good, Option.some(inForce))
      yield* SubscriptionRef.update(status, DaemonStatus.desiredRestored(desired))
      yield* recordGit(GitSync.accepted(checkout.commit))
      yield* Effect.logWarning(
        `the branch's head is not in force: the last good commit ${GitSync.short(checkout.commit)} is, as before the restart`
      ).pipe(Effect.annotateLogs({ sha: checkout.commit.sha }))
      return Option.some(inForce)
    }).pipe(
      Effect.catchAll((error) =>
        Effect.as(
          Effect.logWarning(`the last good commit cannot be read again: ${error.message}; no commit is in force yet`),
          Option.none<InForce>()
        )
      )
    )

  /** `inForce`, or else, after a start, the last good commit kept in the state database. */
  const orRestored = (settings: Location) => (inForce: Option.Option<InForce>) =>
    Option.isSome(inForce) || settings.git === undefined ? Effect.succeed(inForce) : restore(settings.git)

  const read = (settings: Location) => Effect.flatMap(readLatest(settings), orRestored(settings))

  const readLatest = (settings: Location) => Effect.gen(function*() {
    const at = new Date(yield* Clock.currentTimeMillis)
    const desiredPath = settings.git?.path ?? settings.desiredPath
    const located = yield* locate(settings)
    if (Option.isNone(located)) return yield* Ref.get(good)
    const { checkout, path } = located.value
    return yield* DesiredFiles.load(path).pipe(
      Effect.mapBoth({
        onFailure: (invalid) =>
          checkout === undefined
            ? invalid
            : new Desired.DesiredInvalid({ issues: GitSync.relabelIssues(invalid.issues, checkout) }),
        onSuccess: (desired) => checkout === undefined ? desired : GitSync.relabel(desired, checkout)
      }),
      Effect.tap((desired) =>
        Effect.all([
          Ref.set(good, Option.some({ desired, ...(checkout === undefined ? {} : { commit: checkout.commit }) })),
          Ref.set(reported, ""),
          DaemonMetrics.recordDesired(true),
          SubscriptionRef.update(status, DaemonStatus.desiredAccepted(desired, at)),
          checkout === undefined || settings.git === undefined
            ? Effect.void
            : Effect.zipRight(recordGit(GitSync.accepted(checkout.commit)), keepLastGood(settings.git, checkout.commit))
        ], { discard: true })
      ),
      Effect.flatMap(() => Ref.get(good)),
      Effect.catchTag("DesiredInvalid", (invalid) =>
        Effect.gen(function*() {
          yield* DaemonMetrics.recordDesired(false)
          yield* SubscriptionRef.update(status, DaemonStatus.desiredRejected(invalid.issues, at))
          const lines = Desired.formatIssues(invalid.issues)
          if (checkout !== undefined) {
            yield* recordGit(GitSync.invalid(
              checkout.commit,
              `its desired files do not validate (${PlanFormat.plural(invalid.issues.length, "issue")}): ${lines[0]}`
            ))
          }
          // After a start, the last good commit is in force again before anything is said of the files.
          const inForce = yield* Effect.flatMap(Ref.get(good), orRestored(settings))
          if ((yield* Ref.getAndSet(reported, invalid.message)) !== invalid.message) {
            yield* Effect.forEach(lines, (line) => Effect.logError(line), { discard: true })
            const commit = Option.getOrUndefined(Option.flatMapNullable(inForce, (state) => state.commit))
            yield* Effect.logWarning(
              Option.isNone(inForce)
                ? "the desired files do not validate and no good state is known yet: no pass until they are fixed"
                : commit === undefined || checkout === undefined
                ? "the desired files do not validate: ignored, the last good state stays in force"
                : `the desired files of ${GitSync.short(checkout.commit)} do not validate: ignored, the last good ` +
                  `commit ${GitSync.short(commit)} stays in force`
            ).pipe(Effect.annotateLogs({
              desired: desiredPath,
              issues: invalid.issues.length,
              ...(checkout === undefined ? {} : { sha: checkout.commit.sha })
            }))
          }
          return inForce
        })
      )
    )
  })

  return {
    /** The state in force after reading the files at `settings`; none before a good state is known. */
    read,
    recordGit
  }
})
