/**
 * The first module of the `orgsync` executable: answers `--version` at once, and loads the command line only
 * for the other commands; a closed stdout or stderr ends no command. A SIGINT or SIGTERM while it loads is
 * remembered and handed over to it.
 */
import { setFlagsFromString } from "node:v8"
import * as EarlySignals from "./EarlySignals.js"
import { line } from "./Version.js"

/**
 * How far the heap may grow past what was live at the last full collection before the next: 50%. A plan
 * holds the whole tenant (about 200 MB at 100,000 orgs) and reading it makes garbage fast, so V8's own
 * factor, chosen from that rate, let the heap reach three times the live data (600 MB at 100,000 orgs, where
 * 400 MB is the target); at 50% it stays within 400 MB for the same CPU time, measured.
 */
const heapGrowingPercent = 50

// A reader that stops early (`orgsync status | head -2`) closes the pipe: what is left to print goes nowhere, and
// the command ends as it would have, with its own exit code, rather than with a stack trace.
const readerGone = (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error
}
process.stdout.on("error", readerGone)
process.stderr.on("error", readerGone)

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${line}\n`)
} else {
  EarlySignals.listen()
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`)
  await import("./main.js")
}
