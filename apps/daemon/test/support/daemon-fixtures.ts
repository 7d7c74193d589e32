/**
 * Shared by the daemon's tests: plain-value builders (plans and passes as the reconciler and the loop report
 * them), a status server on a free loopback port, and a strict reader of the Prometheus text format, so that
 * tests check the exposition the way a scraper reads it.
 */
import { FileSystem, HttpClient } from "@effect/platform"
import { Context, Effect, Layer, Ref, SubscriptionRef } from "effect"
import * as DaemonStatus from "../../src/DaemonStatus.js"
import { Desired, Plan, Reconciler, StateDb } from "@c42/reconcile"
import * as StatusServer from "../../src/StatusServer.js"

/** A change the plan would make to the org at `path`. */
export const change = (path: string, overrides: Partial<Plan.Change> = {}): Plan.Change => ({
  action: "create",
  path,
  orgUid: null,
  orgId: null,
  parentPath: "",
  parentOrgUid: "u/",
  before: null,
  after: { name: path.split("/").pop()! },
  cascadesTo: [],
  cause: "desired",
  ...overrides
})

export const conflict = (path: string, message: string): Plan.Conflict => ({
  kind: "ambiguous",
  path,
  message,
  orgUids: ["u/1", "u/2"]
})

export const plan = (
  changes: ReadonlyArray<Plan.Change> = [],
  conflicts: ReadonlyArray<Plan.Conflict> = []
): Plan.Plan => ({
  changes,
  conflicts,
  unmanaged: [],
  refusal: undefined,
  resolved: [],
  rootOrgUid: "u/",
  managedCount: 10,
  restricted: 0
})

/** A pass that left `pending` to do (converged when it is empty). */
export const passResult = (overrides: Partial<Reconciler.PassResult> = {}): Reconciler.PassResult => {
  const pending = overrides.pending ?? plan()
  return {
    startedAt: new Date(0),
    finishedAt: new Date(0),
    dryRun: false,
    pending,
    applied: 0,
    failed: 0,
    drift: 0,
    errors: [],
    declined: false,
    stopped: false,
    driftFound: [],
    kept: [],
    writeErrors: [],
    converged: pending.changes.length === 0 && pending.conflicts.length === 0 && pending.refusal === undefined,
    ...overrides
  }
}

export const desiredPath = "/srv/orgsync/orgs.yaml"

export const desired: Desired.DesiredState = { root: undefined, prune: "report", orgs: [], files: [desiredPath] }

/** When the loop would pass next, for the status transitions. */
export const nextPassAt = new Date("2025-03-01T10:05:00.000Z")

/** A pass as the loop records it: 2.5 s long, converged unless told otherwise. */
export const pass = (overrides: Partial<DaemonStatus.PassSummary> = {}): DaemonStatus.PassSummary => ({
  startedAt: new Date("2025-03-01T10:00:00.000Z"),
  finishedAt: new Date("2025-03-01T10:00:02.500Z"),
  result: "converged",
  dryRun: false,
  applied: 0,
  failed: 0,
  pending: 0,
  drift: 0,
  conflicts: 0,
  errors: [],
  ...overrides
})

/** A status server on a free loopback port, over a fresh state database, with its status to set. */
export const statusServerWith = (options: Partial<DaemonStatus.StatusOptions>) => Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-status-" })
  const db = yield* Layer.build(StateDb.layer(`${dir}/state.db`))
  const status = yield* DaemonStatus.make({ desiredPath, dryRun: false, ...options })
  const refreshes = yield* Ref.make(0)
  const address = yield* StatusServer.serve({ host: "127.0.0.1", port: 0 }).pipe(
    Effect.provideService(DaemonStatus.DaemonStatus, status),
    Effect.provideService(StatusServer.Refresh, Ref.update(refreshes, (n) => n + 1)),
    Effect.provide(db)
  )
  if (address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  const url = `http://127.0.0.1:${address.port}`
  const client = yield* HttpClient.HttpClient
  const get = (path: string) =>
    Effect.gen(function*() {
      const response = yield* client.get(`${url}${path}`)
      return { status: response.status, headers: response.headers, text: yield* response.text }
    })
  return {
    url,
    get,
    update: (f: (state: DaemonStatus.State) => DaemonStatus.State) => SubscriptionRef.update(status, f),
    /** How many refreshes were asked for. */
    refreshes: Ref.get(refreshes),
    db: Context.get(db, StateDb.StateDb)
  }
})

export const statusServer = statusServerWith({})

// ---------------------------------------------------------------------------------------------------------
// Prometheus text format 0.0.4, read strictly

export interface PromSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface PromFamily {
  readonly type: string
  readonly help: string | undefined
  readonly samples: Array<PromSample>
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/
const labelPair = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/

const unescapeLabel = (text: string): string =>
  text.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c))

const parseValue = (text: string): number => {
  if (text === "+Inf") return Infinity
  if (text === "-Inf") return -Infinity
  if (text === "NaN") return NaN
  const value = Number(text)
  if (text === "" || Number.isNaN(value)) throw new Error(`bad sample value ${JSON.stringify(text)}`)
  return value
}

const parseLabels = (text: string): Record<string, string> => {
  const labels: Record<string, string> = {}
  let rest = text
  while (rest !== "") {
    const match = labelPair.exec(rest)
    if (match === null) throw new Error(`bad labels ${JSON.stringify(text)}`)
    if (match[1]! in labels) throw new Error(`duplicate label ${match[1]}`)
    labels[match[1]!] = unescapeLabel(match[2]!)
    rest = rest.slice(match[0].length)
  }
  return labels
}

const suffixes: Readonly<Record<string, ReadonlyArray<string>>> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count", ""]
}

/**
 * Reads an exposition, throwing on anything a Prometheus server would reject: a sample before its TYPE, an
 * unknown type, a malformed line or label, a TYPE given twice, a missing final newline.
 */
export const parsePrometheus = (text: string): ReadonlyMap<string, PromFamily> => {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline")
  const families = new Map<string, PromFamily>()
  const familyOf = (sample: string): PromFamily => {
    for (const [name, family] of families) {
      const allowed = suffixes[family.type] ?? [""]
      if (allowed.some((suffix) => `${name}${suffix}` === sample)) return family
    }
    throw new Error(`sample ${sample} has no TYPE line before it`)
  }
  const helps = new Map<string, string>()
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) {
      const [name, ...words] = line.slice("# HELP ".length).split(" ")
      helps.set(name!, words.join(" "))
      continue
    }
    if (line.startsWith("# TYPE ")) {
      const [name, type, ...extra] = line.slice("# TYPE ".length).split(" ")
      if (extra.length > 0 || !["counter", "gauge", "histogram", "summary", "untyped"].includes(type!)) {
        throw new Error(`bad TYPE line ${JSON.stringify(line)}`)
      }
      if (families.has(name!)) throw new Error(`TYPE given twice for ${name}`)
      families.set(name!, { type: type!, help: helps.get(name!), samples: [] })
      continue
    }
    if (line.startsWith("#")) continue
    const match = sampleLine.exec(line)
    if (match === null) throw new Error(`bad sample line ${JSON.stringify(line)}`)
    const [, name, labels, value] = match
    familyOf(name!).samples.push({ name: name!, labels: parseLabels(labels ?? ""), value: parseValue(value!) })
  }
  return families
}
