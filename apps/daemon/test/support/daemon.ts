/**
 * `orgsync run` as a long-running child process: started, watched through its endpoints, stopped by signal.
 */
import { Effect } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { bin, childEnv, credentials } from "./cli.js"

export interface RunningDaemon {
  readonly process: ChildProcess
  readonly output: () => string
  /** The endpoint base, e.g. http://127.0.0.1:PORT */
  readonly url: string
  readonly exited: Promise<number | null>
}

/** A port nothing listens on now. */
export const freePort = () =>
  Effect.promise(() =>
    import("node:net").then((net) =>
      new Promise<number>((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
          const port = (server.address() as { port: number }).port
          server.close(() => resolve(port))
        })
      })
    )
  )

/**
 * Starts `orgsync run ...args` (with `env`: the simulator's admin unless told; in the folder `cwd` if given) and
 * waits until its endpoints answer; killed when the scope closes.
 */
export const startDaemon = (args: ReadonlyArray<string>, env: Record<string, string> = credentials, cwd?: string) =>
  Effect.gen(function*() {
    const port = yield* freePort()
    const child = spawn(process.execPath, [bin, "run", ...args, "--listen", `127.0.0.1:${port}`], {
      env: childEnv(env),
      cwd,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk))
    child.stderr.on("data", (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
    const url = `http://127.0.0.1:${port}`
    yield* until(() => fetch(`${url}/healthz`).then((r) => r.ok, () => false), 15_000, () => output)
    return { process: child, output: () => output, url, exited } satisfies RunningDaemon
  })

/** Polls `check` every 50 ms until it holds, failing after `timeoutMs` with `context()` in the message. */
export const until = (check: () => boolean | Promise<boolean>, timeoutMs = 15_000, context: () => string = () => "") =>
  Effect.promise(async () => {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (await check()) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`timed out after ${timeoutMs} ms\n${context()}`)
  })

export const getJson = <A>(url: string) => Effect.promise(() => fetch(url).then((r) => r.json() as Promise<A>))

/** Asks for a pass (`POST /api/refresh`) and waits until it is over. */
export const passOnce = (daemon: RunningDaemon) =>
  Effect.gen(function*() {
    const passes = () =>
      fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<{ recentPasses: ReadonlyArray<unknown> }>)
        .then((s) => s.recentPasses.length)
    const before = yield* Effect.promise(passes)
    yield* Effect.promise(() => fetch(`${daemon.url}/api/refresh`, { method: "POST" }))
    yield* until(() => passes().then((n) => n > before), 30_000, daemon.output)
  })
