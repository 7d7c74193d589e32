/**
 * The `orgsync` process: wires the command line to Node and exits with the command's code.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Exit } from "effect"
import * as Cli from "./Cli.js"

Cli.run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const code = Exit.isSuccess(exit) && typeof exit.value === "number" ? exit.value : Exit.isInterrupted(exit) ? 0 : 1
      process.exitCode = code
      // Exit only once what was written has drained: a pipe (`orgsync plan | jq`) is written asynchronously.
      process.stdout.write("", () => process.stderr.write("", () => onExit(code)))
    }
  })
)
