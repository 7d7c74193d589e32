/**
 * The benchmark's process (`npm run bench`, i.e. `node bench/dist/main.js [--quick]`): wires the command line
 * to Node.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import * as Cli from "./Cli.js"

Cli.run(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
