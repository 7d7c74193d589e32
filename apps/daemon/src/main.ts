/**
 * The `orgsync` process: wires the command line to Node and exits with the command's code.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Exit } from "effect"
import * as Cli from "./Cli.js"

// An interrupted run is a clean stop (exit 0) only when a signal asked for it.
let signalled = false
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => (signalled = true))

Cli.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const code = Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : Exit.isInterrupted(exit) && signalled ? 0 : 1
      process.exitCode = code
      // Exit only once what was written has drained: a pipe (`orgsync plan | jq`) is written asynchronously.
      process.stdout.write("", () => process.stderr.write("", () => onExit(code)))
    }
  })
)
