/**
 * The command line: `bench [--quick]` runs the benchmark; `bench baseline` is the baseline script that the
 * benchmark starts as a process of its own, reading its client settings from the environment as a user's
 * script would; `bench noop`, `bench rate` and `bench startup` run one part of it alone.
 */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { type NodeContext, NodeHttpClient } from "@effect/platform-node"
import { DesiredFiles } from "@c42/reconcile"
import { Console, Effect, Layer, Option, Schema } from "effect"
import * as Baseline from "./Baseline.js"
import * as Bench from "./Bench.js"
import * as NoopMemory from "./NoopMemory.js"
import * as Startup from "./Startup.js"

const quick = Options.boolean("quick").pipe(
  Options.withDescription("Smaller tenants and change sets, for trying the benchmark out in a minute or two")
)

const desired = Options.file("desired", { exists: "yes" }).pipe(Options.withDescription("The desired orgs.yaml"))
const out = Options.file("out").pipe(Options.withDescription("Where to write the per-org records (JSON)"))
const sample = Options.file("sample", { exists: "yes" }).pipe(
  Options.withDescription("A JSON array of desired paths: handle only these, each under its pinned parent"),
  Options.optional
)

const decodePaths = Schema.decodeUnknown(Schema.parseJson(Schema.Array(Schema.String)))

const baseline = Command.make("baseline", { desired, out, sample }, (flags) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const state = yield* DesiredFiles.load(flags.desired)
    const only = Option.isSome(flags.sample)
      ? yield* Effect.flatMap(fs.readFileString(flags.sample.value), decodePaths)
      : undefined
    // Time since the process started: the part of its wall time that is not the walk.
    const setupMillis = performance.now()
    const tally = Baseline.emptyTally()
    const result = yield* Baseline.run(state, tally, only).pipe(
      Effect.provide(Baseline.clientLayer(tally).pipe(Layer.provide(NodeHttpClient.layerUndici)))
    )
    yield* fs.writeFileString(flags.out, JSON.stringify(Schema.encodeSync(Baseline.Result)({ setupMillis, ...result })))
  })).pipe(Command.withDescription("The SDK-script baseline on a desired file (the benchmark runs it)"))

const runs = Options.integer("runs").pipe(Options.withDescription("Runs of each command"), Options.withDefault(15))

const startup = Command.make("startup", { runs }, (flags) =>
  Effect.flatMap(Startup.run(flags), (result) => Console.log(Startup.markdown(result).join("\n")))).pipe(
    Command.withDescription("Only the start-up figures: orgsync --version and validate against node -e 0")
  )

const rate = Command.make("rate", { quick }, (flags) => Effect.asVoid(Bench.runRate(flags.quick))).pipe(
  Command.withDescription("Only the changes under a rate limit (a known and an unknown limit) and their targets")
)

const orgs = Options.integer("orgs").pipe(
  Options.withDescription("Orgs in the tenant, the top-level org included"),
  Options.withDefault(100_000)
)

const noop = Command.make("noop", { orgs }, (flags) =>
  Effect.flatMap(
    NoopMemory.run({ orgs: flags.orgs, tuning: Bench.noopTuning, randomSeed: Bench.randomSeed }),
    (result) => Console.log(NoopMemory.markdown(result).join("\n"))
  )).pipe(
    Command.withDescription(
      "Only orgsync's no-op on one tenant (default 100,000 orgs): plan, then apply twice, each process's wall time and peak resident memory"
    )
  )

const bench = Command.make("bench", { quick }, (flags) => Effect.asVoid(Bench.run(flags.quick))).pipe(
  Command.withDescription("orgsync and an SDK-script baseline against the simulator: a Markdown table"),
  Command.withSubcommands([baseline, noop, rate, startup])
)

/** Runs the command line on `process.argv`. */
export const run: (argv: ReadonlyArray<string>) => Effect.Effect<void, unknown, NodeContext.NodeContext> = Command.run(
  bench,
  { name: "bench", version: "0.1.0" }
)
