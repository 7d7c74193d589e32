/**
 * The first module of the `orgsync` executable: answers `--version` at once, and loads the command line only
 * for the other commands. A SIGINT or SIGTERM while it loads is remembered and handed over to it.
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

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${line}\n`)
} else {
  EarlySignals.listen()
  setFlagsFromString(`--heap-growing-percent=${heapGrowingPercent}`)
  await import("./main.js")
}
