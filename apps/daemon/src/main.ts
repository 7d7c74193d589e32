/**
 * The `orgsync` process: wires the command line to Node and exits with the command's code. SIGINT and SIGTERM
 * interrupt the command: the daemon stops cleanly (exit 0); any other command was cut short and exits
 * 128 + the signal's number, as shells report it (130 for SIGINT, 143 for SIGTERM). A signal that came while
 * the command line loaded ends the process with the same code before any command begins.
 */
// The modules themselves, not the package's index, which would load the HTTP client into every command.
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Effect, Exit } from "effect"
import * as os from "node:os"
import * as Cli from "./Cli.js"
import * as EarlySignals from "./EarlySignals.js"

let received: NodeJS.Signals | undefined
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => (received ??= signal))
// Listening now, the command line takes over from the executable's first handlers.
const early = EarlySignals.handOver()

// For the commands that run until a signal stops them (the daemon, the demo), SIGINT and SIGTERM are a clean
// stop at any moment, also while they start; for every other command an interruption (exit 130 or 143).
const stopsCleanly = Cli.stopsOnSignal(process.argv.slice(2))

const exitCode = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return typeof exit.value === "number" ? exit.value : 0
  if (!Exit.isInterrupted(exit) || received === undefined) return 1
  return stopsCleanly ? 0 : 128 + os.constants.signals[received]
}

if (early !== undefined) {
  // No command began: nothing was written.
  process.exit(stopsCleanly ? 0 : 128 + os.constants.signals[early])
} else {
  Cli.run(process.argv).pipe(
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit) => {
        const code = exitCode(exit)
        process.exitCode = code
        // Exit once what was written has drained (a pipe, `orgsync plan | jq`, is written asynchronously), and then
        // at once: every resource is released by now, and waiting for the event loop to empty also waits for Node
        // to take the heap down (about 50 ms after a plan of 10,000 orgs).
        process.stdout.write("", () => process.stderr.write("", () => process.exit(code)))
      }
    })
  )
}
