/**
 * Runs the built `orgsync` binary as a user does, as a child process against a simulator on loopback.
 */
import { Effect } from "effect"
import { execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const bin = fileURLToPath(new URL("../../bin/orgsync.js", import.meta.url))

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const credentials = { CODE42_USERNAME: "admin", CODE42_PASSWORD: "secret" }

/** This process's environment without any CODE42_* or ORGSYNC_* variable, with `env` on top. */
export const childEnv = (env: Record<string, string>): Record<string, string | undefined> => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("CODE42_") && !key.startsWith("ORGSYNC_"))
  ),
  ...env
})

/**
 * `orgsync ...args` with a clean environment (no inherited CODE42_* or ORGSYNC_*), signed in as `account`
 * (the simulator's admin unless told), in the folder `cwd` if given.
 */
export const orgsync = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  account: Record<string, string> = credentials,
  cwd?: string
) =>
  Effect.async<Run>((resume) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: childEnv({ ...account, ...env }), maxBuffer: 64 * 1024 * 1024, timeout: 120_000, cwd },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resume(Effect.succeed({ code, stdout, stderr }))
      }
    )
    child.stdin?.end()
    return Effect.sync(() => child.kill())
  })

/**
 * `orgsync ...args` as `orgsync args | head -0` runs it: its stdout is a pipe whose reader has gone before it
 * writes (signed in as the simulator's admin); its code and stderr.
 */
export const orgsyncToClosedPipe = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.async<Omit<Run, "stdout">>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: childEnv({ ...credentials, ...env }),
      stdio: ["ignore", "pipe", "pipe"]
    })
    child.stdout.destroy()
    let stderr = ""
    child.stderr.on("data", (chunk) => (stderr += chunk))
    child.on("close", (code) => resume(Effect.succeed({ code: code ?? 1, stderr })))
    return Effect.sync(() => child.kill())
  })

/** A fresh folder with an orgs.yaml holding `yaml`, and a state database path inside it. */
export const workspace = (yaml: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-cli-"))
  const desired = path.join(dir, "orgs.yaml")
  fs.writeFileSync(desired, yaml)
  return {
    dir,
    desired,
    state: path.join(dir, "state.db"),
    write: (text: string) => fs.writeFileSync(desired, text)
  }
}
