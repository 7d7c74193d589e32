/**
 * A question to the person at the controlling terminal (`/dev/tty`), written and read there even when stdout
 * goes to a pipe or a file. The terminal stays in its line mode, so Ctrl-C at the question interrupts orgsync
 * as anywhere else (exit 130).
 */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as readline from "node:readline"
import * as tty from "node:tty"

const path = "/dev/tty"

/** Whether there is a person to ask: orgsync was started from a terminal (its input is one) and can open it. */
export const available: Effect.Effect<boolean> = Effect.sync(() => {
  if (process.stdin.isTTY !== true) return false
  try {
    fs.closeSync(fs.openSync(path, "r+"))
    return true
  } catch {
    return false
  }
})

/** Shows `text` on the terminal, asks `question` there, and answers what was typed ("" at end of input). */
export const ask = (text: string, question: string): Effect.Effect<string> =>
  Effect.acquireUseRelease(
    // Terminal streams, not file streams: a read pending on the terminal must not hold a descriptor that is
    // closed under it once the answer is in, or when Ctrl-C interrupts the question.
    Effect.sync(() => ({
      input: new tty.ReadStream(fs.openSync(path, "r")),
      output: new tty.WriteStream(fs.openSync(path, "w"))
    })),
    ({ input, output }) =>
      Effect.async<string>((resume) => {
        output.write(text)
        const lines = readline.createInterface({ input, output, terminal: false })
        let answered = false
        const answer = (line: string) => {
          if (answered) return
          answered = true
          resume(Effect.succeed(line))
        }
        lines.question(question, answer)
        lines.once("close", () => answer(""))
        return Effect.sync(() => lines.close())
      }),
    ({ input, output }) => Effect.sync(() => (input.destroy(), output.destroy()))
  )
