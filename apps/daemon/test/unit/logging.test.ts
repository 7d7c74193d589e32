/** The log lines an operator reads: the daemon's on stdout (logfmt or JSON), a one-shot command's on stderr. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import * as Logging from "../../src/Logging.js"

/**
 * The lines `stream` of the console receives while `effect` runs, as a program of its own (as `main` runs a
 * command): the loggers start from Effect's default, which the command's logging replaces.
 */
const captured = async <A, E>(stream: "log" | "error", effect: Effect.Effect<A, E>) => {
  const lines: Array<string> = []
  const spy = vi.spyOn(console, stream).mockImplementation((...line: ReadonlyArray<unknown>) => {
    lines.push(line.join(" "))
  })
  try {
    await Effect.runPromise(effect)
  } finally {
    spy.mockRestore()
  }
  return lines
}

const passDone = Effect.logInfo("pass done").pipe(Effect.annotateLogs({ run: 7 }))

/** As `orgsync run` logs: the daemon's logging inside the command's, which every command starts with. */
const daemon = (format: "logfmt" | "json") =>
  passDone.pipe(Effect.provide(Logging.daemonLogging(format)), Effect.provide(Logging.commandLogging))

describe("log lines", () => {
  it("carry no fiber id, which means nothing to an operator: the daemon's logfmt and JSON, a command's", async () => {
    expect(await captured("log", daemon("logfmt"))).toEqual([
      expect.stringMatching(/^timestamp=\S+ level=INFO message="pass done" run=7$/)
    ])
    const json = await captured("log", daemon("json"))
    expect(json.map((line) => JSON.parse(line))).toEqual([{
      message: "pass done",
      logLevel: "INFO",
      timestamp: expect.any(String),
      annotations: { run: 7 },
      spans: {}
    }])
    expect(await captured("error", Effect.provide(passDone, Logging.commandLogging))).toEqual([
      expect.stringMatching(/^timestamp=\S+ level=INFO message="pass done" run=7$/)
    ])
  })
})

describe("logfmt values", () => {
  const hostile = Effect.logWarning("Eng \u202Eevil\u2028x\u00a0y").pipe(
    Effect.annotateLogs({ path: "\u001b[31mRed", error: "line1\nfake: #99 run converged" })
  )

  it("escape what a terminal would act on or a reader could not see, as plans do; JSON logs keep their own escapes", async () => {
    const [logfmt] = await captured("log", hostile.pipe(
      Effect.provide(Logging.daemonLogging("logfmt")),
      Effect.provide(Logging.commandLogging)
    ))
    expect(logfmt).toMatch(
      /^timestamp=\S+ level=WARN message="Eng \\u202Eevil\\u2028x\\u00A0y" path=\\u001B\[31mRed error="line1\\nfake: #99 run converged"$/
    )
    expect(logfmt).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u00a0\u2028\u202e]/)
    const [json] = await captured("log", hostile.pipe(
      Effect.provide(Logging.daemonLogging("json")),
      Effect.provide(Logging.commandLogging)
    ))
    expect(JSON.parse(json!)).toMatchObject({
      message: "Eng \u202Eevil\u2028x\u00a0y",
      annotations: { path: "\u001b[31mRed", error: "line1\nfake: #99 run converged" }
    })
    const [command] = await captured("error", Effect.provide(hostile, Logging.commandLogging))
    const untimed = (line: string | undefined) => line?.replace(/^timestamp=\S+ /, "")
    expect(untimed(command)).toBe(untimed(logfmt))
  })
})
