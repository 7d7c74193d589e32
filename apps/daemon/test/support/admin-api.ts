/**
 * A running daemon as an operator sees it through its admin API: its `/api/status`, polled until it shows what
 * a test waits for, and the `orgsync` admin commands (suspend, resume, approve, reject) sent to it.
 */
import { Effect } from "effect"
import { orgsync } from "./cli.js"
import { getJson, type RunningDaemon, until } from "./daemon.js"

export interface HeldView {
  readonly id: string
  readonly action: string
  readonly path: string
  readonly reach: number
  readonly checksum: string
  readonly state: string
  readonly approved: boolean
  readonly goesWith: string | null
}

export interface StatusView {
  readonly held: ReadonlyArray<HeldView>
  readonly suspended: boolean
  readonly runningSince: string | null
  readonly drift: ReadonlyArray<{
    readonly path: string
    readonly field: string
    readonly applied?: string | null
    readonly current: string | null
    readonly healed: boolean
  }>
  readonly pending: {
    readonly changes: ReadonlyArray<{ readonly action: string; readonly path: string; readonly cause: string }>
  } | null
  readonly recentPasses: ReadonlyArray<{
    readonly result: string
    readonly applied: number
    readonly failed: number
    readonly pending: number
    readonly errors: ReadonlyArray<string>
  }>
}

export const statusOf = (daemon: RunningDaemon) => getJson<StatusView>(`${daemon.url}/api/status`)

/** Polls the status until `check` holds (30 s at most). */
export const statusUntil = (daemon: RunningDaemon, check: (status: StatusView) => boolean) =>
  until(
    () => fetch(`${daemon.url}/api/status`).then((r) => r.json() as Promise<StatusView>).then(check),
    30_000,
    daemon.output
  )

/** `orgsync <args>` against the daemon with the admin `token`; a command that fails fails the test. */
export const admin = (daemon: RunningDaemon, token: string, ...args: ReadonlyArray<string>) =>
  Effect.flatMap(
    orgsync([...args, "--listen", daemon.url.replace("http://", "")], { ORGSYNC_ADMIN_TOKEN: token }),
    (run) => run.code === 0 ? Effect.succeed(run) : Effect.die(new Error(`orgsync ${args.join(" ")}: ${run.stderr}`))
  )

/** The fields of each `message=audit` line of a logfmt log (values may be quoted). */
export const auditLines = (log: string) =>
  log.split("\n").filter((line) => / message=audit /.test(line)).map((line) =>
    Object.fromEntries(
      [...line.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)].map(([, key, value]) => [
        key!,
        value!.startsWith("\"") ? JSON.parse(value!) as string : value!
      ])
    )
  )
