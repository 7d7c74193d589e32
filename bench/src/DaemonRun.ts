/**
 * The daemon, `orgsync run`, as the long-running process an operator starts: how soon a one-org change saved to
 * the desired file shows in Code42, and how much memory the daemon holds on a large tenant with nothing to do,
 * once converged and after more passes. The daemon's `/api/status` says when a pass has ended; the simulator's
 * tree says when a change has arrived.
 */
import { Command, type CommandExecutor, FileSystem, HttpClient, HttpClientResponse } from "@effect/platform"
import type { Simulator } from "@c42/simulator"
import { Clock, Console, Deferred, Duration, Effect, Either, Fiber, Ref, Schema, Stream } from "effect"
import { BenchError, fromCause } from "./BenchError.js"
import * as Contenders from "./Contenders.js"
import { edits } from "./DaemonEdits.js"
import * as RequestStats from "./RequestStats.js"
import * as Stage from "./Stage.js"

// Models

export interface ChangeOptions {
  /** Orgs in the tenant, the top-level org included. */
  readonly orgs: number
  /** One-org changes saved one after another, the kinds in turn. */
  readonly changes: number
  readonly tuning: Contenders.Tuning
  readonly randomSeed: number
}

export type ChangeKind = "create" | "rename" | "block" | "unblock"

/** How the desired file is saved: written in place, or as editors do (a temporary file renamed over it). */
export type Save = "in place" | "renamed over"

/** What an edit looks at in the server's tree. */
export type TreeOrg = Pick<Simulator.SimOrg, "orgId" | "orgUid" | "orgName" | "parentOrgUid" | "active" | "blocked">

export interface Edit {
  readonly kind: ChangeKind
  /** The desired org it changes (for a create, the new one). */
  readonly path: string
  /** The desired file with this edit and every one before it. */
  readonly yaml: string
  /** Whether the server's tree shows the edit. */
  readonly visible: (orgs: ReadonlyArray<TreeOrg>) => boolean
}

export interface Try {
  readonly kind: ChangeKind
  readonly save: Save
  /** From the end of the save until the simulator's tree showed the change. */
  readonly millis: number
}

export interface ChangeResult {
  readonly options: ChangeOptions
  readonly tries: ReadonlyArray<Try>
}

export interface MemoryOptions {
  /** Orgs in the tenant, the top-level org included. */
  readonly orgs: number
  /** Passes forced after the first one, by touching the desired file. */
  readonly forcedPasses: number
  readonly tuning: Contenders.Tuning
  readonly randomSeed: number
}

/** The daemon's resident memory, as the kernel counts it. */
export interface Memory {
  /** The high-water mark since the process started (VmHWM). */
  readonly peakBytes: number
  /** The resident set now (VmRSS). */
  readonly currentBytes: number
}

/** A pass as the daemon reports it. */
export interface Pass {
  readonly startedAt: Date
  readonly finishedAt: Date
  readonly result: string
  readonly applied: number
  readonly errors: ReadonlyArray<string>
}

export interface MemoryResult {
  readonly options: MemoryOptions
  /** From the spawn to the end of the first pass. */
  readonly startupMillis: number
  readonly first: Pass
  readonly converged: Memory
  readonly forced: ReadonlyArray<Pass>
  /** What the forced passes cost the server, all together. */
  readonly forcedStats: RequestStats.RequestStats
  readonly afterForced: Memory
}


// Pure parts

const kilobytes = (status: string, field: string) => {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, "m").exec(status)
  return match === null ? undefined : Number(match[1]) * 1024
}

/** The memory figures of a `/proc/PID/status` text; `undefined` when it lacks them. */
export const parseMemory = (status: string): Memory | undefined => {
  const peakBytes = kilobytes(status, "VmHWM")
  const currentBytes = kilobytes(status, "VmRSS")
  return peakBytes === undefined || currentBytes === undefined ? undefined : { peakBytes, currentBytes }
}

// The daemon as a process

/** The part of `/api/status` that says how the last pass went and whether one is under way. */
const StatusView = Schema.Struct({
  running: Schema.Boolean,
  lastPass: Schema.NullOr(Schema.Struct({
    startedAt: Schema.DateFromString,
    finishedAt: Schema.DateFromString,
    result: Schema.String,
    applied: Schema.Number,
    errors: Schema.Array(Schema.String)
  }))
})

/** Often enough to time a change to ±10 ms; the simulator is in this process, so a look costs no call. */
const lookEvery = Duration.millis(10)
/** Status reads go to the daemon itself: fewer, so as not to weigh on the passes being measured. */
const statusEvery = Duration.millis(25)
const startTimeout = Duration.seconds(30)
const changeTimeout = Duration.seconds(30)
const passTimeout = Duration.minutes(2)

/** Lines of the daemon's output kept to say why it stopped. */
const keptLines = 30

const listening = /status page on (http:\/\/[^/\s"]+)/

const within = (what: string, timeout: Duration.Duration) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutFail(effect, {
    duration: timeout,
    onTimeout: () => new BenchError({ message: `${what} did not happen within ${Duration.format(timeout)}` })
  })

/** Runs `probe` every `every` until what it answers is `done`. */
const pollUntil = <A, E, R>(
  probe: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  every: Duration.Duration
): Effect.Effect<A, E, R> => {
  const look: Effect.Effect<A, E, R> = Effect.zipRight(Effect.sleep(every), probe)
  return Effect.repeat(look, { until: done })
}

/**
 * The desired file gets a folder of its own: the daemon watches the folder a desired file is in, and the state
 * database's writes beside it would only be noise.
 */
const installation = (dir: string, tuning: Contenders.Tuning) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const files = yield* Contenders.orgsyncFiles(dir, tuning)
    yield* fs.makeDirectory(`${dir}/desired`)
    return { ...files, desired: `${dir}/desired/orgs.yaml` }
  })

/**
 * Starts `orgsync run` on `files` for the life of the scope (closing it stops the daemon with SIGTERM), and
 * succeeds once its endpoints listen.
 */
const start = (stage: Stage.Stage, files: Contenders.OrgsyncFiles) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const client = HttpClient.filterStatusOk(yield* HttpClient.HttpClient)
    const child = yield* Command.start(Contenders.orgsync(stage.connection, files, [
      "run",
      "--desired",
      files.desired,
      "--listen",
      "127.0.0.1:0",
      // Longer than the scenario: every pass in it comes from the start or a change to the file.
      "--interval",
      "5m"
    ])).pipe(Effect.mapError((error) => new BenchError({ message: `cannot start orgsync run: ${error.message}` })))

    const output = yield* Ref.make<ReadonlyArray<string>>([])
    const address = yield* Deferred.make<string>()
    const lines = (stream: Stream.Stream<Uint8Array, unknown>) => stream.pipe(Stream.decodeText(), Stream.splitLines)
    const drain = yield* Stream.merge(lines(child.stdout), lines(child.stderr)).pipe(
      Stream.runForEach((line) => {
        const match = listening.exec(line)
        return Effect.zipRight(
          Ref.update(output, (kept) => [...kept.slice(1 - keptLines), line]),
          match === null ? Effect.void : Deferred.succeed(address, match[1]!)
        )
      }),
      Effect.ignore,
      Effect.forkScoped
    )
    const exited = Effect.gen(function*() {
      const exit = yield* Effect.either(child.exitCode)
      yield* Fiber.await(drain)
      const said = (yield* Ref.get(output)).join("\n")
      return yield* new BenchError({
        message: `orgsync run ${Either.isRight(exit) ? `exited ${exit.right}` : "was stopped"}: ${said}`
      })
    })
    /** `effect`, unless the daemon exits first. */
    const guard = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.raceFirst(effect, exited)

    const url = yield* guard(Deferred.await(address).pipe(within("orgsync run listening", startTimeout)))
    const status = client.get(`${url}/api/status`).pipe(
      Effect.flatMap(HttpClientResponse.schemaBodyJson(StatusView)),
      Effect.mapError(fromCause)
    )
    return {
      guard,
      /** The first pass that started at `after` (epoch milliseconds) or later, once it has ended. */
      passAfter: (after: number): Effect.Effect<Pass, BenchError> =>
        guard(
          pollUntil(
            status,
            (view) => !view.running && view.lastPass !== null && view.lastPass.startedAt.getTime() >= after,
            statusEvery
          ).pipe(Effect.map((view) => view.lastPass!), within("a pass of orgsync run", passTimeout))
        ),
      memory: fs.readFileString(`/proc/${child.pid}/status`).pipe(
        Effect.mapError(fromCause),
        Effect.flatMap((text) => {
          const memory = parseMemory(text)
          return memory === undefined
            ? Effect.fail(new BenchError({ message: `no VmHWM and VmRSS in /proc/${child.pid}/status` }))
            : Effect.succeed(memory)
        })
      )
    }
  })

/** A pass that left something to do makes the figures after it meaningless. */
const converged = (what: string, pass: Pass) =>
  pass.result === "converged"
    ? Effect.succeed(pass)
    : Effect.fail(new BenchError({ message: `${what} ended ${pass.result}: ${pass.errors.join("; ") || "no error"}` }))

const prepared = (orgs: number, tuning: Contenders.Tuning, randomSeed: number, label: string) =>
  Effect.gen(function*() {
    const stage = yield* Stage.make(orgs, randomSeed)
    const files = yield* installation(stage.dir, tuning)
    yield* Console.error(`${label}: orgsync import`)
    yield* Contenders.orgsyncImport(stage.connection, files)
    return { stage, files }
  })

type Requirements =
  | CommandExecutor.CommandExecutor
  | FileSystem.FileSystem
  | HttpClient.HttpClient

// The scenarios

/** Saves `options.changes` one-org changes, each once the daemon is idle, and times each until it is in Code42. */
export const changes = (options: ChangeOptions): Effect.Effect<ChangeResult, BenchError, Requirements> =>
  Effect.scoped(Effect.gen(function*() {
    const label = `orgsync run, ${options.changes} changes in ${options.orgs.toLocaleString("en-US")} orgs`
    const fs = yield* FileSystem.FileSystem
    const { files, stage } = yield* prepared(options.orgs, options.tuning, options.randomSeed, label)
    const planned = yield* edits(yield* fs.readFileString(files.desired), stage.sim.orgs(), options.changes)
    // Hidden, as editors name theirs, and in the same folder, so that the rename replaces the file at once.
    const temporary = `${stage.dir}/desired/.orgs.yaml.tmp`

    yield* Console.error(`${label}: start, then the changes one by one`)
    const spawnedAt = yield* Clock.currentTimeMillis
    const daemon = yield* start(stage, files)
    yield* Effect.flatMap(daemon.passAfter(spawnedAt), (pass) => converged("the first pass", pass))
    const tries: Array<Try> = []
    for (const [i, edit] of planned.entries()) {
      const save: Save = i % 2 === 0 ? "in place" : "renamed over"
      yield* save === "in place"
        ? fs.writeFileString(files.desired, edit.yaml)
        : Effect.zipRight(fs.writeFileString(temporary, edit.yaml), fs.rename(temporary, files.desired))
      const savedAt = yield* Clock.currentTimeNanos
      const savedAtMillis = yield* Clock.currentTimeMillis
      const look = Effect.map(Clock.currentTimeNanos, (at) => ({ at, visible: edit.visible(stage.sim.orgs()) }))
      const seen = yield* daemon.guard(
        pollUntil(look, (seen) => seen.visible, lookEvery).pipe(
          within(`change ${i + 1} (${edit.kind} ${edit.path}) in Code42`, changeTimeout)
        )
      )
      yield* Effect.flatMap(daemon.passAfter(savedAtMillis), (pass) => converged(`the pass of change ${i + 1}`, pass))
      tries.push({ kind: edit.kind, save, millis: Number(seen.at - savedAt) / 1e6 })
    }
    return { options, tries }
  })).pipe(Effect.mapError(fromCause))

/**
 * The daemon on a tenant whose desired file is its own import: memory once the first pass has converged, and
 * again after `options.forcedPasses` more, each forced by touching the file as a checkout would.
 */
export const memory = (options: MemoryOptions): Effect.Effect<MemoryResult, BenchError, Requirements> =>
  Effect.scoped(Effect.gen(function*() {
    const label = `orgsync run, memory with ${options.orgs.toLocaleString("en-US")} orgs`
    const fs = yield* FileSystem.FileSystem
    const { files, stage } = yield* prepared(options.orgs, options.tuning, options.randomSeed, label)

    yield* Console.error(`${label}: start, then ${options.forcedPasses} forced passes`)
    const spawnedAt = yield* Clock.currentTimeMillis
    const daemon = yield* start(stage, files)
    const first = yield* Effect.flatMap(daemon.passAfter(spawnedAt), (pass) => converged("the first pass", pass))
    const convergedMemory = yield* daemon.memory
    stage.sim.clearRequests()
    const forced: Array<Pass> = []
    for (let i = 0; i < options.forcedPasses; i++) {
      const touchedAt = yield* Clock.currentTimeMillis
      yield* fs.utimes(files.desired, new Date(touchedAt), new Date(touchedAt))
      forced.push(
        yield* Effect.flatMap(daemon.passAfter(touchedAt), (pass) => converged(`forced pass ${i + 1}`, pass))
      )
    }
    const result: MemoryResult = {
      options,
      startupMillis: first.finishedAt.getTime() - spawnedAt,
      first,
      converged: convergedMemory,
      forced,
      forcedStats: RequestStats.summarize(stage.sim.requests()),
      afterForced: yield* daemon.memory
    }
    return result
  })).pipe(Effect.mapError(fromCause))

export { edits }
