/**
 * The first module of the `orgsync` executable: answers `--version` at once, and loads the command line only
 * for the other commands.
 */
import { line } from "./Version.js"

const args = process.argv.slice(2)
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`${line}\n`)
} else {
  await import("./main.js")
}
