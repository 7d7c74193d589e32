/**
 * code42-sim: a real HTTP server that behaves like a Code42 tenant (code42-api.md sections 2-8), for the demo
 * and for every integration test, benchmark and soak test. `start` serves it on loopback for the life of the
 * scope and hands back a `Handle` to inspect and steer it; the same controls are served under `/__sim`.
 */
import { HttpRouter } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Data, Effect, Either, Schema, type Scope } from "effect"
import { PCGRandom } from "effect/Utils"
import { createServer } from "node:http"
import { type ApiClient, Credentials, defaultLifetimes } from "./Credentials.js"
import { definedOnly, FaultInjector, type Faults, FaultsPatch } from "./Faults.js"
import * as GeneratedSeed from "./GeneratedSeed.js"
import { authRoutes } from "./internal/authRoutes.js"
import { controlRoutes } from "./internal/controlRoutes.js"
import { gatewayRoutes } from "./internal/gatewayRoutes.js"
import { faultInjection, requestLogging } from "./internal/network.js"
import { orgRoutes } from "./internal/orgRoutes.js"
import { answerError, ApiError, errorResponse } from "./internal/responses.js"
import { type ResetTo, type State, SimulatorState } from "./internal/state.js"
import { RequestLog, type RequestLogEntry } from "./RequestLog.js"
import * as Seed from "./Seed.js"
import { type SimOrg, toJson } from "./OrgBody.js"
import * as ServerRules from "./ServerRules.js"
import { InvalidSeed, Tenant } from "./Tenant.js"
import * as Totp from "./Totp.js"

export type { Faults } from "./Faults.js"
export type { RequestLogEntry } from "./RequestLog.js"
export type { Seed, SeedOrg, SeedUser } from "./Seed.js"
export type { SimOrg } from "./OrgBody.js"
export type { ServerRules } from "./ServerRules.js"

export interface Options {
  /** Default 127.0.0.1. */
  readonly host?: string | undefined
  /** Default 4285; 0 picks a free port. */
  readonly port?: number | undefined
  /** Local accounts; with neither these, `apiClients` nor seed users there is one: admin / secret. */
  readonly users?: ReadonlyArray<Seed.SeedUser> | undefined
  readonly apiClients?: ReadonlyArray<ApiClient> | undefined
  /** The initial tree; default: a lone top-level org. */
  readonly seed?: Seed.Seed | undefined
  /** A generated tree of this many orgs instead of `seed`. */
  readonly generate?: number | undefined
  /** Makes generated trees, ids and random faults reproducible. */
  readonly randomSeed?: number | undefined
  readonly faults?: Partial<Faults> | undefined
  /** Where this server differs from others (rename on deactivate, unique names, legacy bodies, error forms). */
  readonly rules?: Partial<ServerRules.ServerRules> | undefined
  /** Lifetime of every issued token; default 3600 s for users, 900 s for API clients. */
  readonly tokenTtlSeconds?: number | undefined
}

export interface Handle {
  /** "http://HOST:PORT" */
  readonly url: string
  readonly port: number
  /** Every org as the server holds it, in orgId order, in the API's JSON shape. */
  readonly orgs: () => ReadonlyArray<SimOrg>
  readonly requests: () => ReadonlyArray<RequestLogEntry>
  readonly clearRequests: () => void
  /** Replaces the tree (default: the start seed); throws a `SimulatorError` for an invalid seed. */
  readonly reset: (to?: Seed.Seed | { readonly generate: number }) => void
  /** Throws a `SimulatorError` for values out of range. */
  readonly setFaults: (faults: Partial<Faults>) => void
  /** Throws a `SimulatorError` for values out of range. */
  readonly setRules: (rules: Partial<ServerRules.ServerRules>) => void
  /** Every token issued so far answers 401 from now on. */
  readonly expireTokens: () => void
}

export class SimulatorError extends Data.TaggedError("SimulatorError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

const defaultAccount: Seed.SeedUser = { username: "admin", password: "secret" }

/** The whole API: every route, Code42 error bodies for refusals and unknown routes, then the faults and log. */
const app = HttpRouter.concatAll(authRoutes, orgRoutes, gatewayRoutes, controlRoutes).pipe(
  Effect.catchTags({
    ApiError: answerError,
    RouteNotFound: () =>
      Effect.succeed(errorResponse(new ApiError({ status: 404, code: "SYSTEM", description: "Resource not found" })))
  }),
  Effect.catchAllDefect((defect) =>
    Effect.as(
      Effect.logError("Request failed", defect),
      errorResponse(new ApiError({ status: 500, code: "SYSTEM", description: "Internal server error" }))
    )
  ),
  faultInjection,
  requestLogging
)

const checkFaults = (faults: Partial<Faults>): Either.Either<Partial<Faults>, SimulatorError> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(FaultsPatch)(faults),
    (error) => new SimulatorError({ message: `Invalid faults: ${error.message}` })
  )

const checkRules = (rules: Partial<ServerRules.ServerRules>) =>
  Either.mapLeft(
    Schema.decodeUnknownEither(ServerRules.ServerRulesPatch)(rules),
    (error) => new SimulatorError({ message: `Invalid rules: ${error.message}` })
  )

const checkAccounts = (accounts: ReadonlyArray<Seed.SeedUser>): Either.Either<void, InvalidSeed> => {
  const bad = accounts.find((account) => account.totpSecret !== undefined && !Totp.isValidSecret(account.totpSecret))
  return bad === undefined
    ? Either.void
    : Either.left(new InvalidSeed({ message: `The TOTP secret of "${bad.username}" is not base32` }))
}

export const start = (options: Options = {}): Effect.Effect<Handle, SimulatorError, Scope.Scope> =>
  Effect.gen(function*() {
    const host = options.host ?? "127.0.0.1"
    const apiClients = options.apiClients ?? []
    // Fixed for the life of the server, so that a reset returns to the very tree it started with.
    const randomSeed = options.randomSeed ?? Math.floor(Math.random() * 0x7fffffff)
    const generated = (count: number) => GeneratedSeed.generate(count, randomSeed)
    const startSeed = (): Seed.Seed =>
      options.seed ?? (options.generate === undefined ? Seed.empty : generated(options.generate))
    const accountsOf = (seed: Seed.Seed): ReadonlyArray<Seed.SeedUser> => {
      const accounts = [...(options.users ?? []), ...(seed.users ?? [])]
      return accounts.length === 0 && apiClients.length === 0 ? [defaultAccount] : accounts
    }

    // The whole simulator keeps the time of the Clock it starts under, so that a test running on TestClock
    // moves latency, rate-limit refills and token expiry with TestClock.adjust.
    const clock = yield* Effect.clock
    // Each tree gets a fresh PRNG, so that resetting to the same seed yields the same ids.
    const build = (from: Seed.Seed) =>
      Either.flatMap(checkAccounts(accountsOf(from)), () =>
        Tenant.fromSeed(from.org, new PCGRandom(randomSeed), clock.unsafeCurrentTimeMillis()))
    const seed = startSeed()
    let tenant = yield* Either.mapLeft(build(seed), (error) => new SimulatorError({ message: error.message }))
    const credentials = new Credentials(accountsOf(seed), apiClients, {
      userSeconds: options.tokenTtlSeconds ?? defaultLifetimes.userSeconds,
      clientSeconds: options.tokenTtlSeconds ?? defaultLifetimes.clientSeconds
    })
    // Its own stream, so that traffic does not shift the ids of the next reset.
    const faults = new FaultInjector(
      new PCGRandom(randomSeed ^ 0x5bd1e995),
      yield* checkFaults(options.faults ?? {})
    )
    const log = new RequestLog()
    let rules: ServerRules.ServerRules = {
      ...ServerRules.defaults,
      ...definedOnly<ServerRules.ServerRules>(yield* checkRules(options.rules ?? {}))
    }
    const setRules = (patch: Partial<ServerRules.ServerRules>) => rules = { ...rules, ...definedOnly(patch) }

    const reset = (to: ResetTo) => {
      const next = to === undefined ? startSeed() : "generate" in to ? generated(to.generate) : to
      return Either.map(build(next), (built) => {
        tenant = built
        credentials.setAccounts(accountsOf(next))
        return built
      })
    }
    const state: State = { tenant: () => tenant, credentials, faults, rules: () => rules, setRules, log, reset }

    // Idle keep-alive connections live as long as behind a typical load balancer, which makes the race of a
    // client reusing a connection the server is just closing rare, as it is in production.
    const nodeServer = createServer({ keepAliveTimeout: 65_000 })
    const server = yield* NodeHttpServer.make(() => nodeServer, { host, port: options.port ?? 4285 }).pipe(
      Effect.mapError((error) =>
        new SimulatorError({ message: `Cannot listen on ${host}:${options.port ?? 4285}`, cause: error.cause })
      )
    )
    // Runs before the server closes: requests still held back by latency must not keep the scope open.
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer.closeAllConnections()))
    yield* server.serve(Effect.provideService(app, SimulatorState, state))
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`

    return {
      url,
      port,
      orgs: () => tenant.orgs().map((org) => toJson(org)),
      requests: () => log.entries(),
      clearRequests: () => log.clear(),
      setFaults: (patch) => faults.set(Either.getOrThrowWith(checkFaults(patch), (error) => error)),
      setRules: (patch) => setRules(Either.getOrThrowWith(checkRules(patch), (error) => error)),
      reset: (to) => {
        const result = reset(to)
        if (Either.isLeft(result)) throw new SimulatorError({ message: result.left.message })
      },
      expireTokens: () => credentials.expireAll()
    }
  })

