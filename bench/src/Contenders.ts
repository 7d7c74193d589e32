/**
 * The two contenders as the processes a person would run: orgsync through its command line (`orgsync import`,
 * `orgsync apply --yes`), and the baseline script through this package's own `baseline` command. Both get a
 * clean environment with only their connection settings, so nothing of the caller's leaks into a run.
 */
import { Command, type CommandExecutor, FileSystem } from "@effect/platform"
import { Duration, Effect, Redacted, Schema } from "effect"
import { fileURLToPath } from "node:url"
import * as Baseline from "./Baseline.js"
import { BenchError } from "./BenchError.js"
import * as ProcessRun from "./ProcessRun.js"

/** Where the simulator listens and who signs in. */
export interface Connection {
  readonly url: string
  readonly username: string
  readonly password: Redacted.Redacted
}

/** The client settings both contenders get in a scenario. */
export interface Tuning {
  readonly rateLimit: number
  readonly burst: number
  readonly concurrency: number
}

const orgsyncBin = fileURLToPath(new URL("../../apps/daemon/bin/orgsync.js", import.meta.url))
const benchMain = fileURLToPath(new URL("./main.js", import.meta.url))

/** A run of either contender that takes longer than this is stopped and reported as such. */
const runTimeout = Duration.minutes(3)

const credentials = (connection: Connection) => ({
  CODE42_USERNAME: connection.username,
  CODE42_PASSWORD: Redacted.value(connection.password)
})

const node = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Command.make(process.execPath, ...args).pipe(Command.env(env, { extendEnv: false }))

/** A run that did not exit 0 fails with the end of what it printed. */
const succeeded = (label: string) => (measured: ProcessRun.Measured) =>
  measured.exitCode === 0
    ? Effect.succeed(measured)
    : Effect.fail(
      new BenchError({
        message: `${label} exited ${measured.exitCode}: ${(measured.stderr || measured.stdout).trim().slice(-2000)}`
      })
    )

/**
 * The files of one orgsync installation: its folder, where it runs with its state database at the default path
 * (none before the first apply), its settings and its desired state.
 */
export interface OrgsyncFiles {
  readonly dir: string
  readonly config: string
  readonly desired: string
}

/** Writes the settings file that tunes orgsync's client, in a fresh folder's files. */
export const orgsyncFiles = (dir: string, tuning: Tuning) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const files: OrgsyncFiles = {
      dir,
      config: `${dir}/orgsync.yaml`,
      desired: `${dir}/orgs.yaml`
    }
    yield* fs.writeFileString(
      files.config,
      `rateLimit: ${tuning.rateLimit}\nburst: ${tuning.burst}\nconcurrency: ${tuning.concurrency}\n`
    )
    return files
  })

/** `orgsync COMMAND...` against `connection`, in the installation's folder, with its settings. */
export const orgsync = (connection: Connection, files: OrgsyncFiles, command: ReadonlyArray<string>) =>
  node([orgsyncBin, ...command, "--url", connection.url, "--config", files.config], credentials(connection)).pipe(
    Command.workingDirectory(files.dir)
  )

/** `orgsync import --out` into `files.desired`: the live tree as a desired file. */
export const orgsyncImport = (
  connection: Connection,
  files: OrgsyncFiles
): Effect.Effect<ProcessRun.Measured, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  ProcessRun.measure("orgsync import", orgsync(connection, files, ["import", "--out", files.desired]), runTimeout)
    .pipe(Effect.flatMap(succeeded("orgsync import")))

/** `orgsync plan` of `files.desired`; its exit code (0 no changes, 2 changes pending) is part of the result. */
export const orgsyncPlan = (
  connection: Connection,
  files: OrgsyncFiles
): Effect.Effect<ProcessRun.Measured, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  ProcessRun.measure("orgsync plan", orgsync(connection, files, ["plan", "--desired", files.desired]), runTimeout)

/** `orgsync apply --yes` of `files.desired`; its exit code is part of the result, not a failure. */
export const orgsyncApply = (
  connection: Connection,
  files: OrgsyncFiles
): Effect.Effect<ProcessRun.Measured, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  ProcessRun.measure(
    "orgsync apply",
    orgsync(connection, files, ["apply", "--yes", "--desired", files.desired]),
    runTimeout
  )

export interface BaselineRun {
  readonly measured: ProcessRun.Measured
  readonly result: Baseline.Result
}

const decodeResult = Schema.decodeUnknown(Schema.parseJson(Baseline.Result))

/**
 * The baseline script on `desired`, as its own process; `sample` limits it to those paths. Its per-org records
 * come back through a file in `dir`.
 */
export const baseline = (
  connection: Connection,
  tuning: Tuning,
  dir: string,
  desired: string,
  sample: ReadonlyArray<string> | undefined
): Effect.Effect<BaselineRun, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const out = `${dir}/baseline.json`
    const samplePath = `${dir}/sample.json`
    const io = (error: { readonly message: string }) => new BenchError({ message: error.message })
    if (sample !== undefined) yield* fs.writeFileString(samplePath, JSON.stringify(sample)).pipe(Effect.mapError(io))
    const args = [benchMain, "baseline", "--desired", desired, "--out", out]
    const command = node(sample === undefined ? args : [...args, "--sample", samplePath], {
      ...credentials(connection),
      CODE42_URL: connection.url,
      CODE42_RATE_LIMIT: String(tuning.rateLimit),
      CODE42_BURST: String(tuning.burst),
      CODE42_CONCURRENCY: String(tuning.concurrency)
    })
    const measured = yield* ProcessRun.measure("baseline", command, runTimeout).pipe(
      Effect.flatMap(succeeded("baseline"))
    )
    const text = yield* fs.readFileString(out).pipe(Effect.mapError(io))
    const result = yield* decodeResult(text).pipe(
      Effect.mapError((error) => new BenchError({ message: `baseline result: ${error.message}` }))
    )
    return { measured, result }
  })
