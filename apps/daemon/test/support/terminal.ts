/**
 * A command line run on a pseudo-terminal, as a person at a terminal runs it: util-linux `script` gives it a
 * terminal for stdin, stdout and /dev/tty, and what the test writes to `script` is typed at that terminal
 * (`"\u0003"` is Ctrl-C, turned into SIGINT by the terminal).
 */
import { Effect, type Scope } from "effect"
import { spawn } from "node:child_process"
import { bin, childEnv } from "./cli.js"

export interface OnTerminal {
  /** What the terminal showed so far. */
  readonly screen: () => string
  /** Types `text` at the terminal. */
  readonly type: (text: string) => void
  /** Waits until `pattern` is on the screen; fails with the screen if the command ends first or 30 s pass. */
  readonly waitFor: (pattern: RegExp) => Effect.Effect<void, string>
  /** The command's exit code (128 + the signal's number when a signal ended it) and the whole screen. */
  readonly exited: Effect.Effect<{ readonly code: number; readonly screen: string }>
}

/** `word` as one word of a shell command line. */
export const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`

/** The shell words of `orgsync ...args`, for a command line given to `onTerminal`. */
export const orgsyncLine = (args: ReadonlyArray<string>) => [process.execPath, bin, ...args].map(quote).join(" ")

/**
 * Runs the shell command line `command` on a pseudo-terminal, with exactly the CODE42_* and
 * ORGSYNC_* variables of `env`; killed when the scope closes if it still runs.
 */
export const onTerminal = (
  command: string,
  env: Record<string, string>
): Effect.Effect<OnTerminal, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const child = spawn("script", ["--quiet", "--return", "--command", command, "/dev/null"], {
        env: childEnv({ TERM: "xterm", ...env }),
        stdio: ["pipe", "pipe", "pipe"]
      })
      let screen = ""
      let code: number | undefined
      const listeners = new Set<() => void>()
      const changed = () => listeners.forEach((listener) => listener())
      child.stdout.on("data", (chunk) => (screen += chunk, changed()))
      child.stderr.on("data", (chunk) => (screen += chunk, changed()))
      child.on("close", (exitCode, signal) => (code = exitCode ?? (signal === null ? 1 : 128), changed()))
      const watch = <A>(check: () => A | undefined) =>
        Effect.async<A>((resume) => {
          const listener = () => {
            const value = check()
            if (value !== undefined) listeners.delete(listener), resume(Effect.succeed(value))
          }
          listeners.add(listener)
          listener()
          return Effect.sync(() => listeners.delete(listener))
        })
      const terminal: OnTerminal = {
        screen: () => screen,
        type: (text) => child.stdin.write(text),
        waitFor: (pattern) =>
          watch(() => pattern.test(screen) ? "found" as const : code !== undefined ? "ended" as const : undefined).pipe(
            Effect.timeoutTo({ duration: "30 seconds", onTimeout: () => "waited" as const, onSuccess: (seen) => seen }),
            Effect.flatMap((seen) => seen === "found" ? Effect.void : Effect.fail(`${pattern} not shown:\n${screen}`))
          ),
        exited: watch(() => code === undefined ? undefined : { code, screen })
      }
      return { child, terminal }
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  ).pipe(Effect.map(({ terminal }) => terminal))
