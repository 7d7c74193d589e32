/**
 * How quickly orgsync starts: `orgsync --version` and `orgsync validate` of a two-org file, run from the
 * checkout's bin and from the packed package (`npm pack` of apps/daemon, unpacked), side by side with
 * `node -e 0` on the same machine in the same run. The runs take turns (node, then each command) so that a
 * change in the machine's speed touches all of them alike; each figure is a median.
 */
import { Command, type CommandExecutor, FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"
import { fileURLToPath } from "node:url"
import { BenchError } from "./BenchError.js"
import * as ProcessRun from "./ProcessRun.js"
import { spread } from "./Spread.js"

export interface Options {
  /** Runs of each command (and of `node -e 0`) counted, after one warm-up run of each. */
  readonly runs: number
}

export interface Figures {
  readonly label: string
  readonly wallMillis: number
  readonly peakRssBytes: number
  /** The median of each run's wall time over the `node -e 0` run just before it. */
  readonly wallRatio: number
}

export interface Result {
  readonly runs: number
  readonly node: Figures
  readonly commands: ReadonlyArray<Figures>
}

/** The targets: a quick command within 5× the wall time of `node -e 0`, and within 100 MB. */
export const targets = { wallRatio: 5, peakRssBytes: 100e6 }

const daemonDir = fileURLToPath(new URL("../../apps/daemon/", import.meta.url))
const resultsDir = fileURLToPath(new URL("../results/", import.meta.url))

const node = process.execPath

/**
 * The package as `npm pack` makes it, unpacked under bench/results/ so that its few dependencies resolve from
 * the checkout's node_modules, as they would from the folder it is installed in.
 */
const unpacked = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(resultsDir, { recursive: true })
  const dir = yield* fs.makeTempDirectoryScoped({ directory: resultsDir, prefix: "packed-" })
  const packed = yield* ProcessRun.measure(
    "npm pack",
    Command.make("npm", "pack", "--ignore-scripts", "--json", "--pack-destination", dir).pipe(
      Command.workingDirectory(daemonDir)
    ),
    "2 minutes"
  )
  if (packed.exitCode !== 0) return yield* new BenchError({ message: `npm pack failed: ${packed.stderr}` })
  const [{ filename }] = JSON.parse(packed.stdout) as ReadonlyArray<{ filename: string }>
  const untar = yield* ProcessRun.measure("tar", Command.make("tar", "-xzf", `${dir}/${filename}`, "-C", dir), "1 minute")
  if (untar.exitCode !== 0) return yield* new BenchError({ message: `cannot unpack ${filename}: ${untar.stderr}` })
  return { dir, bin: `${dir}/package/bin/orgsync.js` }
})

interface Contender {
  readonly label: string
  readonly args: ReadonlyArray<string>
}

const once = (contender: Contender) =>
  Effect.flatMap(ProcessRun.measure(contender.label, Command.make(node, ...contender.args), "1 minute"), (run) =>
    run.exitCode === 0
      ? Effect.succeed(run)
      : Effect.fail(new BenchError({ message: `${contender.label} exited ${run.exitCode}: ${run.stderr}` })))

const median = (values: ReadonlyArray<number>) => spread(values)!.median

/** Runs the startup benchmark. */
export const run = (
  options: Options
): Effect.Effect<Result, BenchError, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const packed = yield* unpacked
    const desired = `${packed.dir}/orgs.yaml`
    yield* fs.writeFileString(desired, "orgs:\n  - name: Engineering\n  - name: Sales\n")
    const checkoutBin = `${daemonDir}bin/orgsync.js`
    const baseline: Contender = { label: "node -e 0", args: ["-e", "0"] }
    const contenders: ReadonlyArray<Contender> = [
      { label: "orgsync --version (checkout)", args: [checkoutBin, "--version"] },
      { label: "orgsync --version (package)", args: [packed.bin, "--version"] },
      { label: "orgsync validate (checkout)", args: [checkoutBin, "validate", "--desired", desired] },
      { label: "orgsync validate (package)", args: [packed.bin, "validate", "--desired", desired] }
    ]
    const runs = new Map<string, Array<ProcessRun.Measured>>()
    const ratios = new Map<string, Array<number>>()
    for (let round = 0; round <= options.runs; round++) {
      for (const contender of contenders) {
        const before = yield* once(baseline)
        const measured = yield* once(contender)
        // Round 0 warms the file system cache and is not counted.
        if (round === 0) continue
        for (const [label, run] of [[baseline.label, before], [contender.label, measured]] as const) {
          runs.set(label, [...(runs.get(label) ?? []), run])
        }
        ratios.set(contender.label, [...(ratios.get(contender.label) ?? []), measured.wallMillis / before.wallMillis])
      }
    }
    const figures = (label: string): Figures => {
      const measured = runs.get(label) ?? []
      return {
        label,
        wallMillis: median(measured.map((run) => run.wallMillis)),
        peakRssBytes: median(measured.map((run) => run.peakRssBytes ?? 0)),
        wallRatio: label === baseline.label ? 1 : median(ratios.get(label) ?? [])
      }
    }
    return { runs: options.runs, node: figures(baseline.label), commands: contenders.map((c) => figures(c.label)) }
  })).pipe(
    Effect.mapError((error: BenchError | PlatformError) =>
      error._tag === "BenchError" ? error : new BenchError({ message: `start-up: ${error.message}` })
    )
  )

const ms = (millis: number) => `${Math.round(millis)} ms`
const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`

/** The results as Markdown: a table side by side with `node -e 0`, and each command against the targets. */
export const markdown = (result: Result): ReadonlyArray<string> => [
  `**Start-up: a quick command against \`node -e 0\`** (${result.runs} runs of each, taking turns; medians)`,
  "",
  "| command | wall | ÷ node -e 0 | peak RSS | target | result |",
  "|---|---:|---:|---:|---|:---:|",
  `| ${result.node.label} | ${ms(result.node.wallMillis)} | 1× | ${mb(result.node.peakRssBytes)} |  |  |`,
  ...result.commands.map((figures) => {
    const ok = figures.wallRatio <= targets.wallRatio && figures.peakRssBytes <= targets.peakRssBytes
    return `| ${figures.label} | ${ms(figures.wallMillis)} | ${figures.wallRatio.toFixed(2)}× | ` +
      `${mb(figures.peakRssBytes)} | ≤ ${targets.wallRatio}×, ≤ ${mb(targets.peakRssBytes)} | ${ok ? "PASS" : "**MISS**"} |`
  })
]
