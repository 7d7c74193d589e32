/**
 * What the route handlers share: the tenant (replaced by a reset), the credentials, the server's rules, the
 * fault settings and the request log.
 */
import { Context, type Either } from "effect"
import type { Credentials } from "../Credentials.js"
import type { FaultInjector } from "../Faults.js"
import type { RequestLog } from "../RequestLog.js"
import type * as Seed from "../Seed.js"
import type { ServerRules } from "../ServerRules.js"
import type { InvalidSeed, Tenant } from "../Tenant.js"

/** What `POST /__sim/reset` and `Handle.reset` take: a seed, a size to generate, or nothing (the start seed). */
export type ResetTo = Seed.Seed | { readonly generate: number } | undefined

export interface State {
  readonly tenant: () => Tenant
  readonly credentials: Credentials
  readonly faults: FaultInjector
  readonly rules: () => ServerRules
  readonly setRules: (patch: Partial<ServerRules>) => ServerRules
  readonly log: RequestLog
  readonly reset: (to: ResetTo) => Either.Either<Tenant, InvalidSeed>
}

export class SimulatorState extends Context.Tag("@c42/simulator/SimulatorState")<SimulatorState, State>() {}
