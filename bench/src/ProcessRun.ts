/**
 * Runs a command as a child process and measures it as an operator would see it: wall time from spawn to exit,
 * and peak resident memory, read from the kernel's high-water mark (VmHWM in /proc/PID/status) until the process
 * is gone. Output is collected so a failing run can say why. Every run is bounded in time.
 */
import { Command, type CommandExecutor, FileSystem } from "@effect/platform"
import { Clock, Duration, Effect, Fiber, Option, Ref, Schedule, Stream } from "effect"
import { BenchError } from "./BenchError.js"

export interface Measured {
  /** Epoch milliseconds just before the spawn. */
  readonly startedAt: number
  readonly exitCode: number
  readonly wallMillis: number
  /** Peak resident set size in bytes; `undefined` when the process was gone before the first sample. */
  readonly peakRssBytes: number | undefined
  readonly stdout: string
  readonly stderr: string
}

/** How often the high-water mark is read; it only grows, so a sample missed is caught by the next one. */
const sampleEvery = Duration.millis(10)

/** Output past this is dropped from the front: only the end of a long log says why a run failed. */
const keptOutput = 64 * 1024

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  stream.pipe(
    Stream.decodeText(),
    Stream.runFold("", (kept, chunk) => {
      const joined = kept + chunk
      return joined.length > keptOutput ? joined.slice(joined.length - keptOutput) : joined
    }),
    Effect.orElseSucceed(() => "")
  )

const highWaterMark = (fs: FileSystem.FileSystem, pid: number) =>
  fs.readFileString(`/proc/${pid}/status`).pipe(
    Effect.map((status) => {
      const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)
      return match === null ? Option.none<number>() : Option.some(Number(match[1]) * 1024)
    }),
    // The process exited between two samples: nothing more to read.
    Effect.orElseSucceed(() => Option.none<number>())
  )

/** Runs `command` (named `label` in errors) to its end, at most `timeout`; a run still going then is killed. */
export const measure = (
  label: string,
  command: Command.Command,
  timeout: Duration.DurationInput
): Effect.Effect<Measured, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.scoped(
    Effect.gen(function*() {
      const fs = yield* FileSystem.FileSystem
      const startedAt = yield* Clock.currentTimeMillis
      const started = yield* Clock.currentTimeNanos
      const child = yield* Command.start(command).pipe(
        Effect.mapError((error) => new BenchError({ message: `cannot start ${label}: ${error.message}` }))
      )
      const peak = yield* Ref.make<number | undefined>(undefined)
      const sampler = yield* highWaterMark(fs, child.pid).pipe(
        Effect.flatMap(Option.match({
          onNone: () => Effect.void,
          onSome: (bytes) => Ref.update(peak, (max) => Math.max(max ?? 0, bytes))
        })),
        Effect.repeat(Schedule.spaced(sampleEvery)),
        Effect.forkScoped
      )
      const stdout = yield* Effect.forkScoped(collect(child.stdout))
      const stderr = yield* Effect.forkScoped(collect(child.stderr))
      const exitCode = yield* child.exitCode.pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new BenchError({ message: `${label} did not finish within ${Duration.format(timeout)}` })
        }),
        Effect.mapError((error) =>
          error._tag === "BenchError" ? error : new BenchError({ message: `${label}: ${error.message}` })
        )
      )
      const finished = yield* Clock.currentTimeNanos
      yield* Fiber.interrupt(sampler)
      return {
        startedAt,
        exitCode,
        wallMillis: Number(finished - started) / 1e6,
        peakRssBytes: yield* Ref.get(peak),
        stdout: yield* Fiber.join(stdout),
        stderr: yield* Fiber.join(stderr)
      }
    })
  )
