/**
 * The built `code42-sim` command as a child process, and raw HTTP exchanges with it that send exactly the
 * headers and body given (fetch would add its own).
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { request as httpRequest } from "node:http"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../bin/code42-sim.js", import.meta.url))

/** Starts the command and waits for its ready line; the process is killed if the test leaves it running. */
export const launch = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<{ readonly child: ReturnType<typeof spawn>; readonly line: string }, Error>((resume) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stderr!.on("data", (chunk) => stderr += chunk)
      child.stdout!.on("data", (chunk) => {
        stdout += chunk
        const line = stdout.split("\n").find((candidate) => candidate.startsWith("code42-sim listening on "))
        if (line !== undefined) resume(Effect.succeed({ child, line }))
      })
      child.on("exit", (code) => resume(Effect.fail(new Error(`code42-sim exited with ${code}: ${stdout}${stderr}`))))
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
  )

export interface RawReply {
  readonly status: number
  readonly reason: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly text: string
}

/** One exchange: the method, path (with its query), headers and body exactly as given. */
export const exchange = (
  base: string,
  method: string,
  path: string,
  headers: Readonly<Record<string, string>>,
  body?: string
) =>
  Effect.async<RawReply, Error>((resume) => {
    const url = new URL(base)
    const outgoing = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers, setHost: false, agent: false },
      (incoming) => {
        let text = ""
        incoming.setEncoding("utf8")
        incoming.on("data", (chunk) => text += chunk)
        incoming.on("end", () =>
          resume(Effect.succeed({
            status: incoming.statusCode ?? 0,
            reason: incoming.statusMessage ?? "",
            headers: incoming.headers,
            text
          })))
      }
    )
    outgoing.on("error", (error) => resume(Effect.fail(error)))
    outgoing.end(body)
  })
