/**
 * The `code42-sim` command: serves a simulated Code42 tenant until SIGINT or SIGTERM.
 */
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Option } from "effect"
import * as Seed from "./Seed.js"
import * as Simulator from "./Simulator.js"

const optionalNumber = (options: Options.Options<number>) => Options.optional(options)

const host = Options.text("host").pipe(
  Options.withDefault("127.0.0.1"),
  Options.withDescription("Address to listen on")
)
const port = Options.integer("port").pipe(Options.withDefault(4285), Options.withDescription("0 picks a free port"))
const users = Options.text("user").pipe(
  Options.repeated,
  Options.withDescription("A local account, name:password or name:password:totpSecret (repeatable)")
)
const apiClients = Options.text("api-client").pipe(
  Options.repeated,
  Options.withDescription("An API client, id:secret (repeatable)")
)
const seed = Options.file("seed", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription("A JSON seed: {\"org\": {\"orgName\", \"children\": [...]}, \"users\": [...]}")
)
const generate = optionalNumber(Options.integer("generate")).pipe(
  Options.withDescription("Serve a generated tenant of this many orgs")
)
const randomSeed = optionalNumber(Options.integer("random-seed")).pipe(
  Options.withDescription("Makes generation and random faults reproducible")
)
const latencyMs = optionalNumber(Options.integer("latency-ms"))
const jitterMs = optionalNumber(Options.integer("jitter-ms"))
const rateLimit = optionalNumber(Options.float("rate-limit")).pipe(Options.withDescription("Requests per second"))
const faultRate = optionalNumber(Options.float("fault-rate")).pipe(
  Options.withDescription("Share of requests answered with a random 5xx")
)
const resetRate = optionalNumber(Options.float("reset-rate"))
const lostResponseRate = optionalNumber(Options.float("lost-response-rate"))
const listingLagMs = optionalNumber(Options.integer("listing-lag-ms")).pipe(
  Options.withDescription("Orgs made by a create show in lists only this many milliseconds later")
)
const tokenTtl = optionalNumber(Options.integer("token-ttl")).pipe(
  Options.withDescription("Token lifetime in seconds")
)
const uniqueNames = Options.choice("unique-names", ["none", "siblings", "tenant"]).pipe(
  Options.withDefault("none" as const),
  Options.withDescription("Refuse a name already used among the siblings or in the tenant with ORG_DUPLICATE")
)
const renameOnDeactivate = Options.boolean("rename-on-deactivate").pipe(
  Options.withDescription("Deactivation renames the org and its descendants \"<name> deactivated <date>\"")
)
const legacyBodies = Options.boolean("legacy-bodies").pipe(
  Options.withDescription("Org bodies without orgGuid/parentOrgGuid, as 2020 and older servers sent them")
)
const errorsInData = Options.boolean("errors-in-data").pipe(
  Options.withDescription("v1 validation errors wrapped in {\"data\": [...]}")
)
const errorsInReasonPhrase = Options.boolean("errors-in-reason-phrase").pipe(
  Options.withDescription("Unversioned validation errors with an empty body and the array in the reason phrase")
)
const maxPageSize = optionalNumber(Options.integer("max-page-size")).pipe(
  Options.withDescription("Cap every list page at this many orgs whatever pgSize asks")
)
const totalCountOffset = optionalNumber(Options.integer("total-count-offset")).pipe(
  Options.withDescription("Report every list's totalCount off from the truth by this much")
)

/** Splits `a:b` or `a:b:c` at its first colons; the last part keeps any further colons. */
const splitPair = (flag: string, value: string, parts: 2 | 3) => {
  const first = value.indexOf(":")
  if (first <= 0) {
    return Effect.fail(new Simulator.SimulatorError({ message: `--${flag} expects name:secret, got "${value}"` }))
  }
  const rest = value.slice(first + 1)
  const second = parts === 3 ? rest.indexOf(":") : -1
  return Effect.succeed(
    second === -1
      ? [value.slice(0, first), rest] as const
      : [value.slice(0, first), rest.slice(0, second), rest.slice(second + 1)] as const
  )
}

const readSeed = (path: string) =>
  Effect.gen(function*() {
    const text = yield* (yield* FileSystem.FileSystem).readFileString(path)
    return yield* Seed.decodeJson(text)
  }).pipe(Effect.mapError((error) => new Simulator.SimulatorError({ message: `--seed ${path}: ${error.message}` })))

const command = Command.make(
  "code42-sim",
  {
    host,
    port,
    users,
    apiClients,
    seed,
    generate,
    randomSeed,
    latencyMs,
    jitterMs,
    rateLimit,
    faultRate,
    resetRate,
    lostResponseRate,
    listingLagMs,
    tokenTtl,
    uniqueNames,
    renameOnDeactivate,
    legacyBodies,
    errorsInData,
    errorsInReasonPhrase,
    maxPageSize,
    totalCountOffset
  },
  (flags) =>
    Effect.gen(function*() {
      const handle = yield* Simulator.start({
        host: flags.host,
        port: flags.port,
        users: yield* Effect.forEach(flags.users, (user) =>
          Effect.map(splitPair("user", user, 3), ([username, password, totpSecret]) =>
            totpSecret === undefined ? { username, password } : { username, password, totpSecret })),
        apiClients: yield* Effect.forEach(flags.apiClients, (client) =>
          Effect.map(splitPair("api-client", client, 2), ([clientId, secret]) => ({ clientId, secret }))),
        seed: Option.isSome(flags.seed) ? yield* readSeed(flags.seed.value) : undefined,
        generate: Option.getOrUndefined(flags.generate),
        randomSeed: Option.getOrUndefined(flags.randomSeed),
        tokenTtlSeconds: Option.getOrUndefined(flags.tokenTtl),
        rules: {
          uniqueNames: flags.uniqueNames,
          renameOnDeactivate: flags.renameOnDeactivate,
          legacyBodies: flags.legacyBodies,
          errorsInData: flags.errorsInData,
          errorsInReasonPhrase: flags.errorsInReasonPhrase
        },
        faults: {
          latencyMs: Option.getOrUndefined(flags.latencyMs),
          jitterMs: Option.getOrUndefined(flags.jitterMs),
          rateLimit: Option.getOrUndefined(flags.rateLimit),
          faultRate: Option.getOrUndefined(flags.faultRate),
          resetRate: Option.getOrUndefined(flags.resetRate),
          lostResponseRate: Option.getOrUndefined(flags.lostResponseRate),
          maxPageSize: Option.getOrUndefined(flags.maxPageSize),
          totalCountOffset: Option.getOrUndefined(flags.totalCountOffset),
          listingLagMs: Option.getOrUndefined(flags.listingLagMs)
        }
      })
      yield* Console.log(`code42-sim listening on ${handle.url}`)
      return yield* Effect.never
    }).pipe(Effect.scoped)
)

const cli = Command.run(command, { name: "code42-sim", version: "0.1.0" })

// @effect/cli prints its own usage errors; ours get one plain line instead of a stack trace.
cli(process.argv).pipe(
  Effect.tapErrorTag("SimulatorError", (error) => Console.error(`code42-sim: ${error.message}`)),
  Effect.provide(NodeContext.layer),
  (program) => NodeRuntime.runMain(program, { disableErrorReporting: true })
)
