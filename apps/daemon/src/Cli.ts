/**
 * The `orgsync` command line: validate, plan, apply, run, import, status and demo. Each command resolves its
 * settings, builds the layers it needs and answers with an exit code (Terraform's `-detailed-exitcode`
 * convention for plan: 0 no changes, 2 changes pending, 1 error).
 */
import { Args, Command, Options, ValidationError } from "@effect/cli"
import { FileSystem, type HttpClient, Terminal } from "@effect/platform"
import type { ClientConfig } from "@c42/core"
import type { Simulator } from "@c42/simulator"
import { Console, Context, Effect, Layer, Logger, LogLevel, Option, Redacted, Ref } from "effect"
import * as path from "node:path"
import type * as Daemon from "./Daemon.js"
import {
  Desired,
  DesiredCommit,
  DesiredFiles,
  DesiredSchema,
  DesiredYaml,
  ImportCheck,
  OrgApi,
  Plan,
  PlanChecksum,
  PlanFormat,
  PlanMarkdown,
  Reconciler,
  RemoteTree,
  Safety,
  StateDb,
  StateLock
} from "@c42/reconcile"
import * as OutputFile from "./OutputFile.js"
import * as Settings from "./Settings.js"
import * as Arguments from "./Arguments.js"
import * as CommandHelp from "./CommandHelp.js"
import * as Help from "./Help.js"
import * as Style from "./Style.js"
import * as Version from "./Version.js"

// Exit codes
const ok = 0
const failure = 1
const pendingChanges = 2
const usage = 2

/** The exit code a command answers with (@effect/cli handlers return nothing). */
class ExitCode extends Context.Tag("@c42/daemon/ExitCode")<ExitCode, Ref.Ref<number>>() {}

/**
 * Set by the commands that run until a signal stops them (the daemon, the demo): for them SIGINT and SIGTERM
 * are a clean stop (exit 0), for every other command an interruption (exit 130 or 143).
 */
export class SignalStops extends Context.Tag("@c42/daemon/SignalStops")<SignalStops, Ref.Ref<boolean>>() {}

const stopsOnSignal = Effect.flatMap(SignalStops, (ref) => Ref.set(ref, true))

/** Wraps a handler whose result is the exit code. */
const exitWith = <E, R>(handler: Effect.Effect<number, E, R>) =>
  Effect.flatMap(handler, (code) => Effect.flatMap(ExitCode, (ref) => Ref.set(ref, code)))

const config = Settings.configOption
const { desired, state } = Settings.options("desired", "state")
/** The settings of a command that talks to Code42. */
const connection = Settings.options("url", "api", "rateLimit", "burst", "concurrency", "maxRetryAfter", "allowInsecureHttp")
const policySettings = Settings.options("destructive", "drift")

/**
 * Loads and validates the desired files; on failure prints the `file:line:column` issues (at most 100 a file),
 * and on success the warnings of likely mistakes.
 */
const loadDesired = (path: string) =>
  DesiredFiles.load(path).pipe(
    Effect.tapError((invalid) => Console.error(Desired.formatIssues(invalid.issues).join("\n"))),
    Effect.tap((state) =>
      Effect.forEach(state.warnings ?? [], (warning) =>
        Console.error(Desired.formatIssue({ ...warning, message: `warning: ${warning.message}` })))
    )
  )

/** The layers of a command that talks to Code42 and the state database. */
const connected = (settings: Settings.Settings) =>
  Effect.flatMap(Settings.clientConfig(settings), (clientConfig) => layers(settings, clientConfig))

// The HTTP client, the daemon and the simulator are loaded by the commands that use them only, so that the
// others (validate, --help) start quickly.
const layers = (settings: Settings.Settings, clientConfig: ClientConfig.ClientConfig) =>
  Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(Effect.map((NodeHttpClient) => {
    const client = OrgApi.layer(clientConfig).pipe(Layer.provide(NodeHttpClient.layerUndici))
    const db = StateDb.layer(settings.state)
    const reconciler = Reconciler.layer({
      principal: Settings.principal(clientConfig),
      signedInUser: clientConfig.auth._tag === "LocalAccount",
      concurrency: clientConfig.concurrency ?? 8
    })
    return Layer.provideMerge(reconciler, Layer.merge(client, db))
  }))

/** The JSON Schema of orgs.yaml, as config/orgs.schema.json holds it. */
const schemaText = () => `${JSON.stringify(DesiredSchema.jsonSchema(), null, 2)}\n`

const writeOutput = (out: Option.Option<string>, text: string) =>
  Option.match(out, {
    onNone: () => Console.log(text),
    onSome: (file) => OutputFile.write(file, `${text}\n`)
  })

/** `source` is there exactly for the markdown format. */
const formatPlan = (plan: Plan.Plan, format: "text" | "markdown" | "json", source: PlanMarkdown.Source | undefined) =>
  format === "json" ? PlanFormat.json(plan) : source !== undefined ? PlanMarkdown.render(plan, source) : PlanFormat.text(plan)

/** What the heading of a markdown plan names: the tenant, when the connection settings are there, and the commit. */
const markdownSource = (settings: Settings.Settings) =>
  Effect.all({
    tenantUrl: Settings.clientConfig(settings).pipe(
      Effect.map((clientConfig): string | undefined => clientConfig.url),
      Effect.orElseSucceed(() => undefined)
    ),
    commit: Effect.map(DesiredCommit.read(settings.desired), Option.getOrUndefined)
  })

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`

const hasPending = (plan: Plan.Plan) => plan.changes.length > 0 || plan.conflicts.length > 0

// validate ----------------------------------------------------------------------------------------------

const validateOptions = { config, desired }

const validate = Command.make("validate", validateOptions, (flags) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const desiredState = yield* loadDesired(settings.desired)
    yield* Console.log(`${settings.desired}: valid, ${count(desiredState)} orgs`)
    return ok
  }))).pipe(Command.withDescription("Check the desired files offline; every error as file:line:column"))

const count = (desiredState: Desired.DesiredState) => {
  let n = 0
  const walk = (orgs: Desired.DesiredState["orgs"]) => orgs.forEach((org) => (n++, walk(org.children)))
  walk(desiredState.orgs)
  return n
}

// plan --------------------------------------------------------------------------------------------------

const format = Options.choice("format", ["text", "markdown", "json"]).pipe(
  Options.withDescription("How to print the plan: rows for a person, a pull-request comment, or JSON (default text)"),
  Options.withDefault("text" as const)
)
const out = Options.text("out").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Write to this file instead of stdout"),
  Options.optional
)
const offline = Options.boolean("offline").pipe(
  Options.withDescription("Plan from the snapshot in the state database, without any call to Code42")
)

/** Plans from the last snapshot and identity mapping alone. */
const offlinePlan = (desiredState: Desired.DesiredState, settings: Settings.Settings) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const snapshot = yield* db.snapshot
    if (Option.isNone(snapshot)) {
      return yield* Effect.fail(`no snapshot in ${db.path} yet: run orgsync plan without --offline first`)
    }
    const identities = yield* db.identities
    const current = yield* Reconciler.lastSignedInOrg
    const made = Plan.make({
      desired: desiredState,
      remote: snapshot.value.orgs,
      identities,
      settings: { currentOrgUid: Option.getOrUndefined(current), canBlock: settings.api !== "gateway" }
    })
    return Safety.review(made, { desired: desiredState, force: false })
  })

const planOptions = { config, desired, state, ...connection, format, out, offline }

const plan = Command.make("plan", planOptions, (flags) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const refuseOut = (files: ReadonlyArray<string>) =>
      Option.isSome(flags.out) ? OutputFile.refuseDesired(flags.out.value, settings.desired, files) : Effect.void
    const source = flags.format === "markdown" ? yield* markdownSource(settings) : undefined
    const desiredState = yield* loadDesired(settings.desired).pipe(
      Effect.tapError((invalid) =>
        source === undefined
          ? Effect.void
          : refuseOut([settings.desired, ...invalid.issues.map((issue) => issue.file)]).pipe(
            Effect.zipRight(writeOutput(flags.out, PlanMarkdown.invalid(invalid.issues, source)))
          )
      )
    )
    yield* refuseOut(desiredState.files)
    const result = flags.offline
      ? yield* offlinePlan(desiredState, settings).pipe(Effect.provide(StateDb.layer(settings.state)))
      : yield* Effect.flatMap(Reconciler.Reconciler, (r) =>
        Effect.map(r.pass(desiredState, { dryRun: true, force: false }), (pass) => pass.pending)).pipe(
          Effect.provide(yield* connected(settings))
        )
    // A refused plan is still written, so that it can be reviewed and then applied with --force.
    yield* writeOutput(flags.out, formatPlan(result, flags.format, source))
    if (result.refusal !== undefined) {
      yield* Console.error(`orgsync plan: refused (${result.refusal.reason}): ${result.refusal.message}`)
      return failure
    }
    return hasPending(result) ? pendingChanges : ok
  }))).pipe(
    Command.withDescription("Show what apply would do: exit 0 no changes, 2 changes pending, 1 error or refused")
  )

// apply -------------------------------------------------------------------------------------------------

const yes = Options.boolean("yes").pipe(Options.withDescription("Apply without asking"))
const force = Options.boolean("force").pipe(
  Options.withDescription("Allow blocks and deactivations above 25% of the managed orgs")
)
const planFile = Options.text("plan").pipe(
  Options.withPseudoName("FILE"),
  Options.withDescription("Apply this reviewed JSON plan, only while it still matches what would be planned now"),
  Options.optional
)

/** Asks on the terminal; only `yes` is consent. */
const askOnTerminal = (plan: Plan.Plan) =>
  Effect.gen(function*() {
    const terminal = yield* Terminal.Terminal
    yield* Console.log(PlanFormat.text(plan))
    yield* terminal.display("\nApply these changes? Only 'yes' will be accepted: ")
    const answer = yield* terminal.readLine.pipe(Effect.orElseSucceed(() => ""))
    return answer.trim() === "yes"
  })

/** Reads a `plan --format json` file and answers whether the plan made now still has its checksum. */
const matchesReviewed = (path: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(path).pipe(Effect.mapError(() => `cannot read the plan file ${path}`))
    const reviewed = yield* Effect.try({
      try: () => JSON.parse(text) as { formatVersion?: unknown; checksum?: unknown },
      catch: () => `${path}: not a JSON plan (make one with orgsync plan --format json --out ${path})`
    })
    if (reviewed.formatVersion !== 1 || typeof reviewed.checksum !== "string") {
      return yield* Effect.fail(`${path}: not a formatVersion 1 plan with a checksum`)
    }
    const checksum = reviewed.checksum
    return (plan: Plan.Plan) =>
      PlanChecksum.checksum(plan) === checksum
        ? Effect.succeed(true)
        : Console.error(
          `${path} is stale: Code42 or the desired files changed since it was made. Run orgsync plan again and review it.`
        ).pipe(Effect.as(false))
  })

/**
 * After a signal cut an apply short: what was applied, what was not, and what may or may not have happened,
 * from the journal of the writes since the apply started.
 */
const reportInterrupted = (since: Date, confirmed: Option.Option<Plan.Plan>) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const writes = yield* db.journalSince(since).pipe(Effect.orElseSucceed(() => []))
    const line = (write: { readonly action: string; readonly path: string }) => `  ${write.action} ${write.path}`
    const applied = writes.filter((write) => write.outcome === "done" || write.outcome === "adopted")
    const unknown = writes.filter((write) => write.outcome === undefined)
    const sent = new Set(writes.filter((write) => write.outcome !== "failed").map(line))
    const notApplied = Option.match(confirmed, { onNone: () => [], onSome: (plan) => plan.changes })
      .filter((change) => !sent.has(line(change)))
    yield* Console.log(
      `\nInterrupted: ${plural(applied.length, "change")} applied, ${notApplied.length} not applied` +
        (unknown.length > 0 ? `, ${unknown.length} cut short (the next run re-reads Code42 and settles them)` : "") +
        "."
    )
    for (const [title, list] of [["Applied:", applied], ["Cut short:", unknown], ["Not applied:", notApplied]] as const) {
      if (list.length > 0) yield* Console.log([title, ...list.map(line)].join("\n"))
    }
    yield* Console.log("The run is recorded as interrupted; orgsync plan shows what is left.")
  })

const applyOptions = { config, desired, state, ...connection, yes, force, plan: planFile, ...policySettings }

const apply = Command.make("apply", applyOptions, (flags) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const desiredState = yield* loadDesired(settings.desired)
    const interactive = process.stdin.isTTY === true
    if (!flags.yes && Option.isNone(flags.plan) && !interactive) {
      yield* Console.error("orgsync apply: not on a terminal, so there is no one to ask: pass --yes to apply")
      return failure
    }
    const terminal = yield* Effect.context<Terminal.Terminal>()
    const show = (plan: Plan.Plan) => Console.log(PlanFormat.text(plan)).pipe(Effect.as(true))
    const confirm = Option.isSome(flags.plan)
      ? yield* matchesReviewed(flags.plan.value)
      : flags.yes
      ? show
      : (plan: Plan.Plan) => askOnTerminal(plan).pipe(Effect.orElseSucceed(() => false), Effect.provide(terminal))
    const startedAt = new Date()
    const confirmed = yield* Ref.make(Option.none<Plan.Plan>())
    const result = yield* Effect.gen(function*() {
      yield* StateLock.acquire(settings.state)
      const reconciler = yield* Reconciler.Reconciler
      return yield* reconciler.pass(desiredState, {
        dryRun: false,
        force: flags.force,
        // confirm is what apply always does: it asks, or takes --yes or a reviewed plan as the answer.
        policy: { destructive: settings.destructive === "never" ? "never" : "auto", drift: settings.drift },
        confirm: (plan) => Effect.tap(confirm(plan), (yes) => yes ? Ref.set(confirmed, Option.some(plan)) : Effect.void)
      })
    }).pipe(
      Effect.onInterrupt(() => Effect.flatMap(Ref.get(confirmed), (plan) => reportInterrupted(startedAt, plan))),
      Effect.scoped,
      Effect.provide(yield* connected(settings))
    )
    if (result.declined) {
      yield* Console.error("Nothing applied.")
      return failure
    }
    if (result.converged) {
      yield* Console.log(
        result.applied === 0
          ? PlanFormat.text(result.pending)
          : `\nApply complete: ${plural(result.applied, "change")} made. Code42 matches the desired state.`
      )
      return ok
    }
    // A refusal comes first: it is why nothing (more) was applied.
    if (result.pending.refusal === undefined || result.applied > 0) {
      yield* Console.log(`\nApplied ${plural(result.applied, "change")}, ${result.failed} failed. Still pending:\n`)
    }
    yield* Console.log(PlanFormat.text(result.pending))
    for (const error of result.errors) yield* Console.error(error)
    return failure
  }))
).pipe(Command.withDescription("Make Code42 match the desired files: exit 0 converged, 1 error or refused"))

// import ------------------------------------------------------------------------------------------------

const root = Options.text("root").pipe(
  Options.withPseudoName("UID"),
  Options.withDescription("The orgUid of the org to import under (default: the tenant's top-level org)"),
  Options.optional
)

const allowLossy = Options.boolean("allow-lossy").pipe(
  Options.withDescription("Write the file even where it cannot hold the tenant as it is (named on stderr)")
)

const importOptions = { config, state, ...connection, out, root, allowLossy }

const importCommand = Command.make("import", importOptions, (flags) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const orgs = yield* RemoteTree.read.pipe(Effect.provide(yield* connected(settings)))
    const top = orgs.find((org) => org.parentOrgUid === null || org.parentOrgUid === undefined)
    const rootOrgUid = Option.getOrElse(flags.root, () => top?.orgUid ?? "")
    if (!orgs.some((org) => org.orgUid === rootOrgUid)) {
      return yield* Effect.fail(`no org with orgUid ${rootOrgUid} in the tenant`)
    }
    const text = DesiredYaml.renderImport({ rootOrgUid, orgs })
    // The file must plan nothing against the tenant it came from; what it cannot say is named, not changed.
    const losses = yield* ImportCheck.losses(text, orgs)
    if (losses.length > 0) {
      yield* Console.error(
        `orgsync import: the file cannot hold ${plural(losses.length, "org")} as Code42 has ${
          losses.length === 1 ? "it" : "them"
        }; a plan of it would change:`
      )
      for (const loss of losses) yield* Console.error(`  ${loss.path === "" ? "" : `${loss.path}: `}${loss.detail}`)
      if (!flags.allowLossy) {
        yield* Console.error("Nothing written: pass --allow-lossy to write it anyway.")
        return failure
      }
    }
    yield* writeOutput(flags.out, text)
    if (Option.isSome(flags.out)) {
      // The file's first line points editors at orgs.schema.json beside it.
      const schemaPath = path.join(path.dirname(flags.out.value), "orgs.schema.json")
      yield* OutputFile.write(schemaPath, schemaText())
      yield* Console.error(`Wrote ${flags.out.value} and ${schemaPath}.`)
    }
    return ok
  }))).pipe(Command.withDescription("Write the live tree as a valid orgs.yaml with uid pins"))

// status ------------------------------------------------------------------------------------------------

const ago = (date: Date) => {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000))
  return seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago` : `${Math.round(seconds / 3600)} h ago`
}

const statusReport = (settings: Settings.Settings) =>
  Effect.gen(function*() {
    const db = yield* StateDb.StateDb
    const runs = yield* db.recentRuns(10)
    const snapshot = yield* db.snapshot
    yield* Console.log(`State database: ${settings.state}`)
    yield* Console.log(
      Option.match(snapshot, {
        onNone: () => "Snapshot: none yet (run orgsync plan)",
        onSome: (s) => `Snapshot: ${s.orgs.length} orgs, taken ${s.takenAt.toISOString()} (${ago(s.takenAt)})`
      })
    )
    yield* Console.log(runs.length === 0 ? "Runs: none yet" : "Last runs:")
    for (const run of runs) {
      const counts = Object.entries(run.counts).map(([k, v]) => `${k}=${v}`).join(" ")
      yield* Console.log(
        `  #${run.id} ${run.kind}${run.dryRun ? " (dry run)" : ""} ${run.startedAt.toISOString()} ${run.result ?? "running"} ${counts}` +
          (run.commit === null ? "" : ` git ${run.commit.sha.slice(0, 7)} ${run.commit.subject}`)
      )
      for (const error of run.errors.slice(0, 5)) yield* Console.log(`      ${error}`)
    }
    if (Option.isNone(snapshot)) return
    const desiredState = yield* DesiredFiles.load(settings.desired).pipe(Effect.option)
    if (Option.isNone(desiredState)) {
      yield* Console.log(`Pending: unknown, ${settings.desired} does not validate (run orgsync validate)`)
    } else {
      yield* Console.log("Pending, as of the snapshot:")
      yield* Console.log(PlanFormat.text(yield* offlinePlan(desiredState.value, settings)))
    }
  }).pipe(Effect.provide(StateDb.layer(settings.state)))

const statusOptions = { config, desired, state }

const status = Command.make("status", statusOptions, (flags) =>
  exitWith(Settings.resolve(flags).pipe(Effect.flatMap(statusReport), Effect.as(ok)))).pipe(
    Command.withDescription("Show the last runs, the snapshot's age and the pending changes")
  )

// run and demo -----------------------------------------------------------------------------------------

const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("Plan and report, never write"))
const daemonSettings = Settings.options("interval", "listen", "logFormat", "force", "destructive", "drift", "notify")
const gitSettings = Settings.options("gitRepo", "gitBranch", "gitPath")

/** One-shot commands log (retries, re-reads) to stderr, so that stdout holds only what they print. */
const commandLogger = Logger.withConsoleError(Logger.logfmtLogger)

const commandLogging = Layer.merge(
  Logger.replace(Logger.defaultLogger, commandLogger),
  Logger.minimumLogLevel(LogLevel.Info)
)

/** The daemon logs to stdout, in the format asked for. */
const logger = (format: "logfmt" | "json") =>
  Layer.merge(
    Logger.replace(commandLogger, Logger.withConsoleLog(format === "json" ? Logger.jsonLogger : Logger.logfmtLogger)),
    Logger.minimumLogLevel(LogLevel.Info)
  )

/** Runs the daemon until SIGINT or SIGTERM, which interrupt it (exit 0). */
const daemon = (
  settings: Settings.Settings,
  clientConfig: ClientConfig.ClientConfig,
  dry: boolean,
  reload?: Effect.Effect<Daemon.Reloadable, Settings.SettingsError>
) =>
  Effect.gen(function*() {
    const [{ run }, DesiredWatcher, NodeHttpClient, AdminToken, Notify] = yield* Effect.promise(() =>
      Promise.all([
        import("./Daemon.js"),
        import("./DesiredWatcher.js"),
        import("@effect/platform-node/NodeHttpClient"),
        import("./AdminToken.js"),
        import("./Notify.js")
      ])
    )
    const adminToken = yield* AdminToken.tokenFromEnv
    const connection = yield* layers(settings, clientConfig)
    return yield* stopsOnSignal.pipe(Effect.zipRight(run({
      desiredPath: settings.desired,
      dryRun: dry,
      force: settings.force,
      interval: settings.interval,
      listen: settings.listen,
      statePath: settings.state,
      tenantUrl: clientConfig.url,
      git: Settings.git(settings),
      reload,
      policy: { destructive: settings.destructive, drift: settings.drift },
      adminToken,
      notify: { urls: yield* Notify.webhooks(Option.getOrElse(settings.notify, () => [])), tenant: clientConfig.url }
    })),
      Effect.provide(Layer.mergeAll(connection, DesiredWatcher.layer, NodeHttpClient.layerUndici)),
      Effect.provide(logger(settings.logFormat))
    )
  })

const runOptions = { config, desired, state, ...connection, dryRun, ...daemonSettings, ...gitSettings }

const runCommand = Command.make(
  "run",
  runOptions,
  (flags) =>
    exitWith(Effect.gen(function*() {
      const settings = yield* Settings.resolve(flags)
      const clientConfig = yield* Settings.clientConfig(settings)
      // On SIGHUP: the settings file and the environment again, under the same flags.
      const reload = Settings.resolve(flags).pipe(
        Effect.map((again): Daemon.Reloadable => ({
          desiredPath: again.desired,
          interval: again.interval,
          git: Settings.git(again)
        })),
        Effect.mapError((error) => error._tag === "SettingsError" ? error : new Settings.SettingsError({ message: String(error) })),
        Effect.provide(yield* Effect.context<FileSystem.FileSystem>())
      )
      return yield* daemon(settings, clientConfig, flags.dryRun, reload)
    }))
).pipe(Command.withDescription("The daemon: reconcile at start, on every change to the desired files and every interval"))

/** The demo tenant: some of config/orgs.yaml already there, some not, and some drift to heal. */
const demoSeed: Simulator.Seed = {
  org: {
    orgName: "Demo Tenant",
    children: [
      {
        orgName: "Engineering",
        orgExtRef: "ENG-001",
        children: [{ orgName: "Platform" }, { orgName: "Mobile", blocked: true }, { orgName: "Data" }]
      },
      { orgName: "Sales", orgExtRef: "SLS-001", children: [{ orgName: "EMEA" }, { orgName: "Americas" }] },
      { orgName: "Finance", orgExtRef: "FIN-001" },
      { orgName: "Contractors" },
      { orgName: "Interns 2019", active: false }
    ]
  }
}

const demoOptions = { desired, listen: daemonSettings.listen, interval: daemonSettings.interval }

const demo = Command.make("demo", demoOptions, (flags) =>
  exitWith(Effect.gen(function*() {
    const { Simulator } = yield* Effect.promise(() => import("@c42/simulator"))
    // As strict as the servers that rename deactivated orgs and refuse a name used anywhere in the tenant.
    const sim = yield* Simulator.start({
      port: 0,
      seed: demoSeed,
      randomSeed: 42,
      rules: { renameOnDeactivate: true, uniqueNames: "tenant" }
    })
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-demo-" })
    const settings = yield* Settings.resolve({
      desired: flags.desired,
      state: Option.some(`${dir}/state.db`),
      interval: Option.isOption(flags.interval) && Option.isSome(flags.interval) ? flags.interval : Option.some("1m"),
      listen: flags.listen
    })
    const address = `http://${settings.listen.host}:${settings.listen.port}/`
    yield* Console.log(`orgsync demo: a simulated Code42 tenant at ${sim.url} (admin / secret)`)
    yield* Console.log(`orgsync demo: reconciling ${settings.desired}; edit it and watch the tenant follow`)
    yield* Console.log(`orgsync demo: status page at ${address} (Ctrl-C to stop)`)
    return yield* daemon(settings, {
      url: sim.url,
      auth: { _tag: "LocalAccount", username: "admin", password: Redacted.make("secret") }
    }, false)
  }).pipe(Effect.scoped))
).pipe(Command.withDescription("A simulated Code42 tenant and the daemon on config/orgs.yaml, with a status page"))

// approve, reject, suspend, resume ----------------------------------------------------------------------

const heldId = Args.text({ name: "id" }).pipe(Args.withDescription("The id of a held change, as /api/status lists it"))
const all = Options.boolean("all").pipe(Options.withDescription("Approve every change awaiting approval"))

/** An admin command: the daemon's `listen` address from the settings, the admin token from the environment. */
const admin = (
  flags: Settings.Flags,
  request: (listen: Settings.Settings["listen"]) => Effect.Effect<number, never, HttpClient.HttpClient>
) =>
  exitWith(Effect.gen(function*() {
    const settings = yield* Settings.resolve(flags)
    const FetchHttpClient = yield* Effect.promise(() => import("@effect/platform/FetchHttpClient"))
    return yield* request(settings.listen).pipe(Effect.provide(FetchHttpClient.layer))
  }))

const adminCommands = Effect.promise(() => import("./AdminCommands.js"))

const { listen } = Settings.options("listen")

const approveOptions = { config, listen, all }
const adminOptions = { config, listen }

const approveCommand = Command.make("approve", { ...approveOptions, id: Args.optional(heldId) }, (flags) =>
  admin(flags, (at) =>
    Effect.flatMap(adminCommands, (commands) =>
      Option.isSome(flags.id) === flags.all
        ? Effect.as(Console.error("orgsync approve: name one held change by its id, or pass --all"), failure)
        : commands.approve(at, flags.all ? "all" : [Option.getOrThrow(flags.id)])))
).pipe(Command.withDescription("Approve held changes on the running daemon (ORGSYNC_ADMIN_TOKEN); a pass applies them"))

const rejectCommand = Command.make("reject", { ...adminOptions, id: heldId }, (flags) =>
  admin(flags, (at) => Effect.flatMap(adminCommands, (commands) => commands.reject(at, [flags.id])))
).pipe(Command.withDescription("Reject a held change on the running daemon (ORGSYNC_ADMIN_TOKEN): it stays unapplied"))

const suspendCommand = Command.make("suspend", adminOptions, (flags) =>
  admin(flags, (at) => Effect.flatMap(adminCommands, (commands) => commands.suspension(at, true)))
).pipe(Command.withDescription("Stop the running daemon's writes; it still plans and shows (ORGSYNC_ADMIN_TOKEN)"))

const resumeCommand = Command.make("resume", adminOptions, (flags) =>
  admin(flags, (at) => Effect.flatMap(adminCommands, (commands) => commands.suspension(at, false)))
).pipe(Command.withDescription("Let a suspended daemon write again; a pass starts (ORGSYNC_ADMIN_TOKEN)"))

// the command line --------------------------------------------------------------------------------------

// schema and version --------------------------------------------------------------------------------

const schema = Command.make("schema", {}, () => exitWith(Effect.as(Effect.sync(() => process.stdout.write(schemaText())), ok)))
  .pipe(Command.withDescription("Print the JSON Schema of orgs.yaml"))

const versionCommand = Command.make("version", {}, () => exitWith(Effect.as(Console.log(Version.line), ok))).pipe(
  Command.withDescription("Print the version and build")
)

// the command line --------------------------------------------------------------------------------------

/** Each command, its flags and its help. */
const commands: ReadonlyArray<readonly [Help.Doc, Record<string, Options.Options<unknown>>]> = [
  [CommandHelp.validate, validateOptions],
  [CommandHelp.plan, planOptions],
  [CommandHelp.apply, applyOptions],
  [CommandHelp.run, runOptions],
  [CommandHelp.importDoc, importOptions],
  [CommandHelp.status, statusOptions],
  [CommandHelp.demo, demoOptions],
  [CommandHelp.schema, {}],
  [CommandHelp.version, {}],
  [CommandHelp.approve, approveOptions],
  [CommandHelp.reject, adminOptions],
  [CommandHelp.suspend, adminOptions],
  [CommandHelp.resume, adminOptions]
]

const orgsync = Command.make("orgsync").pipe(
  Command.withDescription("Keep a Code42 organization tree in step with YAML files kept in git"),
  Command.withSubcommands([
    validate,
    plan,
    apply,
    runCommand,
    importCommand,
    status,
    demo,
    schema,
    versionCommand,
    approveCommand,
    rejectCommand,
    suspendCommand,
    resumeCommand
  ])
)

/**
 * What the command line asks before any command runs: the usage (bare `orgsync`, exit 2), help, the version,
 * or a mistake in the flags, told in one sentence (exit 1); none when a command is to run.
 */
const answerAtOnce = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const docs = commands.map(([doc]) => doc)
    if (args.length === 0) return yield* Effect.as(Effect.sync(() => process.stdout.write(Help.short(docs))), usage)
    const style = Style.make(Style.enabled(process.stdout, process.env, args))
    if (Arguments.wantsHelp(args)) {
      const command = commands.find(([doc]) => doc.name === args[0])
      const text = command === undefined
        ? Help.root(Version.line, docs, style)
        : Help.command(command[0], Object.values(command[1]), style)
      return yield* Effect.as(Effect.sync(() => process.stdout.write(text)), ok)
    }
    const mistake = Arguments.check(
      args,
      commands.map(([doc, options]) => ({ name: doc.name, flags: Help.flagLines(Object.values(options)) }))
    )
    if (mistake !== undefined) return yield* Effect.as(Console.error(mistake), failure)
    if (args.slice(0, args.includes("--") ? args.indexOf("--") : undefined).includes("--version")) {
      return yield* Effect.as(Console.log(Version.line), ok)
    }
    return undefined
  })

/** Runs the command line; answers the process exit code. Errors are printed as one clear line. */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const answered = yield* answerAtOnce(argv.slice(2))
    if (answered !== undefined) return answered
    const code = yield* Ref.make(ok)
    return yield* Command.run(orgsync, { name: "orgsync", version: Version.version })(argv).pipe(
      Effect.provideService(ExitCode, code),
      Effect.provide(commandLogging),
      Effect.zipRight(Ref.get(code)),
      Effect.catchAll((error) =>
        // Validation errors of the desired files and of the command line are printed where they arise.
        isDesiredInvalid(error) || ValidationError.isValidationError(error)
          ? Effect.succeed(failure)
          : Effect.as(Console.error(messageOf(error).split("\n").map((line) => `orgsync: ${line}`).join("\n")), failure)
      )
    )
  })

const isDesiredInvalid = (error: unknown) =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "DesiredInvalid"

const messageOf = (error: unknown): string =>
  typeof error === "string"
    ? error
    : typeof error === "object" && error !== null && "message" in error
    ? String(error.message)
    : String(error)
