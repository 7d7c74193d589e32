/**
 * `orgsync run`: the daemon. It holds the state database's lock, serves its endpoints, and reconciles at start,
 * after every change to the desired files (debounced) and every interval (with jitter) to catch drift. Each
 * pass is level-based: it reads the desired files afresh and asks the reconciler to converge; triggers that
 * arrive during a pass coalesce into one more pass. A failed pass backs off exponentially; desired files that
 * do not validate are reported and ignored, the last good state staying in force. Following a git branch, each
 * pass fetches first and reads the files at the fetched commit; `POST /api/refresh` and SIGHUP pass at once.
 * Reading the desired state is `DesiredSource`'s, when to pass `PassSchedule`'s, what a pass is told as
 * `PassReport`'s, and decisions about held changes `DaemonControl`'s.
 */
import { type CommandExecutor, type FileSystem, type HttpClient, HttpServer, type Path } from "@effect/platform"
import {
  Chunk,
  Clock,
  Deferred,
  Duration,
  Effect,
  Either,
  Fiber,
  identity,
  Layer,
  Option,
  Queue,
  type Redacted,
  Ref,
  type Scope,
  Stream,
  SubscriptionRef
} from "effect"
import * as AdminToken from "./AdminToken.js"
import * as DaemonControl from "./DaemonControl.js"
import * as DaemonMetrics from "./DaemonMetrics.js"
import * as DaemonStatus from "./DaemonStatus.js"
import { PlanFormat, type Policy, Reconciler, StateDb } from "@c42/reconcile"
import * as DesiredSource from "./DesiredSource.js"
import { DesiredWatcher, type WatchError } from "./DesiredWatcher.js"
import * as GitSource from "./GitSource.js"
import * as GitSync from "./GitSync.js"
import * as Notices from "./Notices.js"
import * as Notify from "./Notify.js"
import { contestLog, logPass, summarize } from "./PassReport.js"
import { backoffSchedule, debounce, driftSchedule, refreshSpacing, stepper } from "./PassSchedule.js"
import * as StatusServer from "./StatusServer.js"

export interface DaemonOptions {
  /** The desired file or folder. */
  readonly desiredPath: string
  readonly dryRun: boolean
  /** Lifts the 25% threshold on blocks and deactivations; a warning says so as the daemon starts. */
  readonly force: boolean
  /** Between two passes that look for drift. */
  readonly interval: Duration.DurationInput
  /** Where to serve the endpoints; `undefined`: nowhere. */
  readonly listen: StatusServer.Listen | undefined
  /** The state database (its writer, provided, holds its lock); the git clone is kept beside it. */
  readonly statePath: string
  /** The Code42 tenant, named on the status page (without credentials). */
  readonly tenantUrl?: string | undefined
  /** Re-reads the settings on SIGHUP; without it, SIGHUP re-reads the desired files only. */
  readonly reload?: Effect.Effect<Reloadable, { readonly message: string }> | undefined
  /** The git branch to follow instead of `desiredPath`; its clone is kept beside the state database. */
  readonly git?: GitSource.GitSettings | undefined
  /** What is applied without a person (default: everything, drift healed). */
  readonly policy?: Policy.Policy | undefined
  /** The admin API's token; none: the admin API is disabled. */
  readonly adminToken?: Option.Option<Redacted.Redacted<string>>
  /** Webhooks to tell, and the Code42 URL they are told about. */
  readonly notify?: { readonly urls: ReadonlyArray<Redacted.Redacted<string>>; readonly tenant: string } | undefined
}

/** The settings a SIGHUP can change without a restart. */
export interface Reloadable extends Pick<DaemonOptions, "desiredPath" | "interval" | "git" | "policy"> {
  /** The webhooks to tell; `undefined`: unchanged. */
  readonly notify?: ReadonlyArray<Redacted.Redacted<string>> | undefined
  /** The settings changed since the daemon started that only a restart applies, by their file key. */
  readonly restartOnly?: ReadonlyArray<string> | undefined
}

export interface LoopOptions extends Pick<DaemonOptions, "desiredPath" | "dryRun" | "interval" | "reload" | "git"> {
  readonly force?: boolean
  /** Opens the text of every notification, e.g. `orgsync (console.us.code42.com)`. */
  readonly noticePrefix?: string
  /** Each element asks to re-read the settings and the desired files and to pass (SIGHUP). */
  readonly reloads?: Stream.Stream<void> | undefined
  /** Each element asks to fetch and pass now (`POST /api/refresh`). */
  readonly refreshes?: Stream.Stream<void> | undefined
}

export type DaemonError =
  | WatchError
  | StatusServer.ListenError
  | GitSource.GitError

const now = Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis))

/**
 * The reconcile loop, until interrupted. The desired files are watched for the life of the scope; the status
 * and the metrics are kept current.
 */
export const loop = (
  options: LoopOptions
): Effect.Effect<
  never,
  WatchError,
  Reconciler.Reconciler | DesiredWatcher | DaemonStatus.DaemonStatus | FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function*() {
    const reconciler = yield* Reconciler.Reconciler
    const watcher = yield* DesiredWatcher
    const status = yield* DaemonStatus.DaemonStatus

    // Capacity 1, dropping: any number of triggers during a pass make exactly one more pass.
    const wake = yield* Queue.dropping<void>(1)
    const current = yield* Ref.make<Reloadable>({
      desiredPath: options.desiredPath,
      interval: options.interval,
      git: options.git
    })
    // Approvals, rejections and suspension, when an admin API serves them.
    const control = yield* Effect.serviceOption(DaemonControl.DaemonControl)
    const notify = yield* Effect.serviceOption(Notify.Notify)
    const tell = yield* Notices.teller(options.noticePrefix ?? "orgsync")
    if (Option.isSome(control)) {
      yield* control.value.passRequests.pipe(Stream.runForEach(() => Queue.offer(wake, undefined)), Effect.forkScoped)
    }

    // In a fiber of its own, so that a reload can stop it; ready (or failed) when this returns.
    const watchFiles = (desiredPath: string) =>
      Effect.gen(function*() {
        const ready = yield* Deferred.make<void, WatchError>()
        const fiber = yield* Effect.scoped(Effect.gen(function*() {
          const changes = yield* watcher.watch(desiredPath)
          yield* Deferred.succeed(ready, undefined)
          yield* changes.pipe(
            Stream.tap((change) => Effect.logDebug("desired files changed").pipe(Effect.annotateLogs({ ...change }))),
            Stream.debounce(debounce),
            Stream.runForEach(() => Queue.offer(wake, undefined))
          )
        })).pipe(
          Effect.catchAll((error) =>
            Effect.flatMap(Deferred.fail(ready, error), (starting) =>
              starting ? Effect.void : Effect.logError(`${error.message}; passes still run every interval`).pipe(
                Effect.annotateLogs("desired", desiredPath)
              ))
          ),
          Effect.forkScoped
        )
        yield* Deferred.await(ready)
        return fiber
      })
    // Files on disk are watched; a git branch is fetched at each pass instead.
    const watchUnlessGit = (settings: Reloadable) =>
      settings.git === undefined ? Effect.map(watchFiles(settings.desiredPath), Option.some) : Effect.succeedNone
    const watching = yield* Ref.make(yield* watchUnlessGit(yield* Ref.get(current)))

    const drift = yield* Ref.make(yield* stepper(driftSchedule(options.interval)))
    const backoff = yield* stepper(backoffSchedule)
    const source = yield* DesiredSource.make
    const logContested = yield* contestLog
    const dueAfter = (delay: Duration.Duration) =>
      Effect.map(Clock.currentTimeMillis, (millis) => new Date(millis + Duration.toMillis(delay)))

    // Until the delay is over or a trigger comes, whichever is first.
    const wait = (delay: Duration.Duration) => Effect.race(Effect.sleep(delay), Queue.take(wake))

    // What people are told of the git branch followed, as the read before the pass left it.
    const gitTrouble = Effect.map(SubscriptionRef.get(status), (state) =>
      state.git === undefined ? undefined : GitSync.trouble(state.git))

    const step = Effect.gen(function*() {
      yield* SubscriptionRef.update(status, DaemonStatus.passStarted(yield* now))
      const desired = yield* source.read(yield* Ref.get(current))
      if (Option.isNone(desired)) {
        yield* tell(Option.none(), yield* gitTrouble)
        const delay = yield* Effect.flatMap(Ref.get(drift), (schedule) => schedule.next)
        yield* SubscriptionRef.update(status, DaemonStatus.passSkipped(yield* dueAfter(delay)))
        return yield* wait(delay)
      }
      const startedAt = yield* now
      const force = options.force === true
      const decided = Option.isSome(control) ? Option.some(yield* control.value.begin) : Option.none()
      // Suspended: the pass plans and shows, and makes no write; suspended during the pass, it sends no more.
      const dryRun = options.dryRun || Option.exists(decided, (d) => d.suspended)
      const result = yield* Effect.either(reconciler.pass(desired.value.desired, {
        dryRun,
        force,
        kind: "run",
        commit: desired.value.commit,
        policy: Option.getOrUndefined(Option.map(decided, (d) => d.policy)),
        decisions: Option.getOrUndefined(Option.map(decided, (d) => d.decisions)),
        mayWrite: Option.getOrUndefined(Option.map(decided, (d) => d.mayWrite)),
        guard: Option.getOrUndefined(Option.map(decided, (d) => d.guard))
      }))
      if (Either.isRight(result) && result.right.stopped) {
        const suspended = Option.isSome(control) && (yield* SubscriptionRef.get(control.value.state)).suspended !== undefined
        const left = result.right.pending.changes.length
        // Nothing left: the writes the suspension cut short were found done.
        yield* Effect.logWarning(
          suspended && left === 0
            ? "suspended during the pass: nothing is left pending, the writes cut short were found done"
            : `${suspended ? "suspended" : "a change was rejected"} during the pass: the writes not yet sent are left ` +
              `pending (${PlanFormat.plural(left, "change")}) until ${suspended ? "orgsync resume" : "the next pass"}`
        )
      }
      if (Option.isSome(decided)) yield* decided.value.finish(Either.getOrUndefined(result))
      yield* tell(Option.some(result), yield* gitTrouble)
      const summary = summarize(startedAt, yield* now, dryRun, result)
      if (Either.isRight(result)) yield* backoff.reset
      const delay = yield* (Either.isLeft(result) ? backoff.next : Effect.flatMap(Ref.get(drift), (schedule) => schedule.next))
      yield* DaemonMetrics.recordPass(summary)
      yield* SubscriptionRef.update(
        status,
        DaemonStatus.passFinished(
          summary,
          Either.isRight(result) ? result.right.pending : undefined,
          yield* dueAfter(delay)
        )
      )
      yield* logPass(summary, Either.getLeft(result), delay)
      if (Either.isRight(result)) yield* logContested(result.right)
      yield* wait(delay)
    })

    /** SIGHUP: the settings that can change without a restart, and the desired files at the next pass. */
    const reload = Effect.gen(function*() {
      yield* Effect.logInfo("SIGHUP: re-reading the settings and the desired files")
      const before = yield* Ref.get(current)
      const next = options.reload === undefined ? before : yield* options.reload.pipe(
        Effect.tapError((error) => Effect.logError(`SIGHUP: ${error.message}; the settings in force stay`)),
        Effect.orElseSucceed(() => before)
      )
      if (next.desiredPath !== before.desiredPath || (next.git === undefined) !== (before.git === undefined)) {
        yield* Effect.forEach(Option.toArray(yield* Ref.get(watching)), Fiber.interrupt)
        const started = yield* watchUnlessGit(next).pipe(Effect.either)
        if (Either.isRight(started)) yield* Ref.set(watching, started.right)
        else yield* Effect.logError(`${started.left.message}; passes still run every interval`)
      }
      if (next.git !== undefined) yield* source.recordGit(GitSync.retarget(next.git))
      if (Duration.toMillis(next.interval) !== Duration.toMillis(before.interval)) {
        yield* Ref.set(drift, yield* stepper(driftSchedule(next.interval)))
      }
      if (next.policy !== undefined && Option.isSome(control)) yield* control.value.setPolicy(next.policy)
      if (next.notify !== undefined && Option.isSome(notify)) yield* notify.value.retarget(next.notify)
      yield* Ref.set(current, next)
      yield* Effect.logInfo("settings re-read").pipe(
        Effect.annotateLogs({
          ...(next.git === undefined
            ? { desired: next.desiredPath }
            : { git_repo: GitSource.redact(next.git.repo), git_branch: next.git.branch, git_path: next.git.path }),
          interval: Duration.format(next.interval),
          ...(next.policy === undefined ? {} : { destructive: next.policy.destructive, drift: next.policy.drift }),
          ...(next.notify === undefined ? {} : { notify: next.notify.map(Notify.receiverName).join(",") })
        })
      )
      if (next.restartOnly !== undefined && next.restartOnly.length > 0) {
        yield* Effect.logWarning(
          `SIGHUP: these changed settings take effect only after a restart: ${next.restartOnly.join(", ")}`
        )
      }
      yield* Queue.offer(wake, undefined)
    })
    if (options.reloads !== undefined) yield* options.reloads.pipe(Stream.runForEach(() => reload), Effect.forkScoped)
    if (options.refreshes !== undefined) {
      yield* options.refreshes.pipe(
        Stream.throttle({ cost: Chunk.size, units: 1, duration: refreshSpacing, strategy: "shape" }),
        Stream.runForEach(() => Effect.zipRight(Effect.logInfo("refresh asked: fetching and passing now"), Queue.offer(wake, undefined))),
        Effect.forkScoped
      )
    }

    if (options.force === true) {
      yield* Effect.logWarning(
        "force is on: passes may block and deactivate more than 25% of the managed orgs (run --force, setting force)"
      )
    }
    return yield* Effect.forever(step)
  })

const loopback = /^(127(\.\d{1,3}){3}|::1|localhost)$/

/**
 * SIGHUP for the life of the scope, each as an element of the queue (a burst of them makes one). While it is
 * listened to, Node no longer ends the process on SIGHUP.
 */
const hangupSignals = Effect.gen(function*() {
  const queue = yield* Queue.dropping<void>(1)
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      const listener = () => Queue.unsafeOffer(queue, undefined)
      process.on("SIGHUP", listener)
      return listener
    }),
    (listener) => Effect.sync(() => process.off("SIGHUP", listener))
  )
  return queue
})

/**
 * Runs the daemon until interrupted (the state database's writer, provided, holds its lock for as long): serves
 * the endpoints on `listen`, and runs the loop. On interruption the pass in flight stops after the write it is
 * making settles, and everything is released.
 */
export const run = (
  options: DaemonOptions
): Effect.Effect<
  never,
  DaemonError,
  | Reconciler.Reconciler
  | DesiredWatcher
  | StateDb.StateDb
  | FileSystem.FileSystem
  | Path.Path
  | CommandExecutor.CommandExecutor
  | HttpClient.HttpClient
> =>
  Effect.scoped(Effect.gen(function*() {
    const hangups = yield* hangupSignals
    const refreshes = yield* Queue.dropping<void>(1)
    if (options.git !== undefined) yield* GitSource.checkPath(options.git)
    // The clone of the branch followed is kept beside the state database, as its own.
    const git = options.git === undefined ? Option.none() : Option.some(yield* GitSource.make(`${options.statePath}.git`))
    const status = yield* DaemonStatus.make({
      desiredPath: options.git?.path ?? options.desiredPath,
      dryRun: options.dryRun,
      tenantUrl: options.tenantUrl,
      git: options.git
    })
    yield* DaemonMetrics.register
    if (options.git !== undefined) yield* GitSync.registerMetrics
    yield* Notify.register
    const control = yield* DaemonControl.make(options.policy ?? { destructive: "auto", drift: "heal" })
    // Always there, so that a SIGHUP may add webhooks to a daemon started without any.
    const notify = Notify.layer({ urls: options.notify?.urls ?? [], tenant: options.notify?.tenant ?? options.tenantUrl ?? "" })
    const services = Layer.mergeAll(
      Layer.succeed(DaemonStatus.DaemonStatus, status),
      Layer.succeed(DaemonControl.DaemonControl, control),
      Layer.succeed(AdminToken.AdminToken, options.adminToken ?? Option.none())
    )
    if (options.listen !== undefined) {
      const address = yield* StatusServer.serve(options.listen).pipe(
        Effect.provide(services),
        Effect.provideService(StatusServer.Refresh, Queue.offer(refreshes, undefined).pipe(Effect.asVoid))
      )
      yield* Effect.logInfo(`status page on ${HttpServer.formatAddress(address)}/`)
      if (!loopback.test(options.listen.host)) {
        yield* Effect.logWarning(
          `the status page on ${options.listen.host} is unauthenticated and shows org names to anyone who can ` +
            "reach it: listen on 127.0.0.1 behind an authenticating proxy unless that is intended"
        )
      }
    }
    yield* Effect.logInfo("daemon started").pipe(Effect.annotateLogs({
      ...(options.git === undefined
        ? { desired: options.desiredPath }
        : { git_repo: GitSource.redact(options.git.repo), git_branch: options.git.branch, git_path: options.git.path }),
      dry_run: options.dryRun,
      force: options.force,
      interval: Duration.format(options.interval),
      destructive: options.policy?.destructive ?? "auto",
      drift: options.policy?.drift ?? "heal",
      admin_api: Option.isSome(options.adminToken ?? Option.none()) ? "enabled" : "disabled",
      notify: options.notify?.urls.map(Notify.receiverName).join(",") ?? ""
    }))
    const prefix = options.notify === undefined ? "orgsync" : `orgsync (${options.notify.tenant})`
    return yield* loop({
      ...options,
      reloads: Stream.fromQueue(hangups),
      refreshes: Stream.fromQueue(refreshes),
      noticePrefix: prefix
    }).pipe(
      Effect.provide(Layer.merge(services, notify)),
      Option.isSome(git) ? Effect.provideService(GitSource.GitSource, git.value) : identity,
      Effect.onInterrupt(() => Effect.logInfo("stopping"))
    )
  }))
