/**
 * The built `orgsync` as a child process that a test can watch while it runs: a signal at any moment (a
 * SIGKILL at random, a SIGTERM to stop a daemon), its output as it comes, its resident memory (sampled from
 * /proc), and a deadline and a memory limit past which it is killed. `cli.ts`'s `orgsync` is the simpler form
 * for a run that just has to finish.
 */
import { Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { bin, childEnv } from "./cli.js"

export interface Exited {
  /** `null` when a signal ended it. */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
  /** The high-water mark of its resident memory, in MiB, as last sampled. */
  readonly peakRssMib: number
  /** Why the test killed it: it ran past its deadline, or past its memory limit. */
  readonly stopped: "deadline" | "memory" | undefined
}

export interface Child {
  /** Its stdout so far. */
  readonly stdout: () => string
  /** Its resident memory now, in MiB; `undefined` once it has exited. */
  readonly rssMib: () => number | undefined
  readonly kill: (signal: NodeJS.Signals) => void
  readonly exited: Effect.Effect<Exited>
  /** Waits until `pattern` appears in its stdout or stderr; fails if it exits first. */
  readonly waitFor: (pattern: RegExp) => Effect.Effect<RegExpMatchArray, Exited>
}

export interface SpawnOptions {
  /** Killed with SIGKILL after this long (`stopped: "deadline"`). */
  readonly deadlineMillis?: number
  /** Killed with SIGKILL once its resident memory passes this (`stopped: "memory"`), sparing the machine. */
  readonly memoryLimitMib?: number
  /** The folder it runs in; the test's own by default. */
  readonly cwd?: string
}

/** A `/proc/PID/status` field in MiB (VmRSS now, VmHWM the peak). */
const procMib = (pid: number, field: "VmRSS" | "VmHWM"): number | undefined => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    return match === null ? undefined : Number(match[1]) / 1024
  } catch {
    return undefined
  }
}

/**
 * Starts `orgsync ...args` with exactly the CODE42_* and ORGSYNC_* variables of `env` (so a test chooses the
 * credentials). Killed when the scope closes if it still runs.
 */
export const spawnOrgsync = (
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  options: SpawnOptions = {}
): Effect.Effect<Child, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const started = Date.now()
      const child = spawn(process.execPath, [bin, ...args], {
        env: childEnv(env),
        stdio: ["ignore", "pipe", "pipe"],
        cwd: options.cwd
      })
      const pid = child.pid!
      let stdout = ""
      let stderr = ""
      let peak = 0
      let stopped: Exited["stopped"] = undefined
      let running = true
      const listeners = new Set<() => void>()
      const stop = (why: "deadline" | "memory") => {
        stopped ??= why
        child.kill("SIGKILL")
      }
      const sampler = setInterval(() => {
        peak = Math.max(peak, procMib(pid, "VmHWM") ?? 0)
        if (options.memoryLimitMib !== undefined && peak > options.memoryLimitMib) stop("memory")
      }, 50)
      const deadline = options.deadlineMillis === undefined
        ? undefined
        : setTimeout(() => stop("deadline"), options.deadlineMillis)
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk
        listeners.forEach((listener) => listener())
      })
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk
        listeners.forEach((listener) => listener())
      })
      const closed = new Promise<Exited>((resolve) =>
        child.on("close", (code, signal) => {
          running = false
          clearInterval(sampler)
          if (deadline !== undefined) clearTimeout(deadline)
          listeners.forEach((listener) => listener())
          resolve({ code, signal, stdout, stderr, millis: Date.now() - started, peakRssMib: peak, stopped })
        })
      )
      const exited = Effect.promise(() => closed)
      const handle: Child = {
        stdout: () => stdout,
        rssMib: () => (running ? procMib(pid, "VmRSS") : undefined),
        kill: (signal) => {
          if (running) child.kill(signal)
        },
        exited,
        waitFor: (pattern) =>
          Effect.async<RegExpMatchArray, Exited>((resume) => {
            /** Resumes and answers true once there is an answer. */
            const settled = (): boolean => {
              const match = pattern.exec(stdout) ?? pattern.exec(stderr)
              if (match !== null) resume(Effect.succeed(match))
              else if (!running) resume(Effect.flatMap(exited, Effect.fail))
              return match !== null || !running
            }
            const listener = () => {
              if (settled()) listeners.delete(listener)
            }
            if (!settled()) listeners.add(listener)
            return Effect.sync(() => listeners.delete(listener))
          })
      }
      return handle
    }),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )

/** Runs `orgsync ...args` to its end (or its deadline). */
export const runOrgsync = (args: ReadonlyArray<string>, env: Record<string, string>, options: SpawnOptions = {}) =>
  Effect.scoped(Effect.flatMap(spawnOrgsync(args, env, options), (child) => child.exited))

/** A stack trace in output: a person should get one clear line, never the program's insides. */
export const stackTrace = /^\s+at .+(?::\d+:\d+\)?|\(native\))$/m
