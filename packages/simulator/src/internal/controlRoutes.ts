/**
 * The test-control endpoints under `/__sim` (design.md "Test control"): no authentication, no faults, and
 * only from loopback, since they can rewrite the whole tenant.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Either, Option, Schema } from "effect"
import { FaultsPatch } from "../Faults.js"
import * as Seed from "../Seed.js"
import { toJson } from "../OrgBody.js"
import { ServerRulesPatch } from "../ServerRules.js"
import { ApiError } from "./responses.js"
import { type ResetTo, SimulatorState } from "./state.js"

const isLoopback = (address: string) =>
  address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.")

/** Runs a control handler for loopback callers only. */
const control = <A, E, R>(handler: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!Option.exists(request.remoteAddress, isLoopback)) {
      return yield* new ApiError({ status: 403, code: "SYSTEM", description: "Test control is only open to loopback" })
    }
    return yield* handler
  })

const badBody = (description: string) => new ApiError({ status: 400, code: "SYSTEM", description })

const Generate = Schema.Struct({ generate: Schema.Int.pipe(Schema.positive()) })

/** An empty body resets to the start seed; `{"generate": N}` to a generated tree; anything else is a seed. */
const resetTarget = Effect.gen(function*() {
  const request = yield* HttpServerRequest.HttpServerRequest
  const text = yield* Effect.orElseSucceed(request.text, () => "")
  if (text.trim() === "") return undefined
  const generate = Schema.decodeUnknownEither(Schema.parseJson(Generate))(text)
  if (Either.isRight(generate)) return generate.right
  return yield* Effect.mapError(Seed.decodeJson(text), (error) => badBody(`Not a seed: ${error.message}`))
})

const reset = Effect.gen(function*() {
  const to: ResetTo = yield* resetTarget
  const tenant = yield* Effect.mapError((yield* SimulatorState).reset(to), (error) => badBody(error.message))
  return HttpServerResponse.unsafeJson({ orgCount: tenant.size })
})

const setFaults = Effect.gen(function*() {
  const patch = yield* HttpServerRequest.schemaBodyJson(FaultsPatch).pipe(
    Effect.mapError((error) => badBody(`Not a faults object: ${error.message}`))
  )
  const { faults } = yield* SimulatorState
  faults.set(patch)
  return HttpServerResponse.unsafeJson(faults.current)
})

const setRules = Effect.gen(function*() {
  const patch = yield* HttpServerRequest.schemaBodyJson(ServerRulesPatch).pipe(
    Effect.mapError((error) => badBody(`Not a rules object: ${error.message}`))
  )
  return HttpServerResponse.unsafeJson((yield* SimulatorState).setRules(patch))
})

export const controlRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/__sim/orgs",
    control(Effect.map(SimulatorState, (state) =>
      HttpServerResponse.unsafeJson(state.tenant().orgs().map((org) => toJson(org)))))
  ),
  HttpRouter.get(
    "/__sim/requests",
    control(Effect.map(SimulatorState, (state) => HttpServerResponse.unsafeJson(state.log.entries())))
  ),
  HttpRouter.del(
    "/__sim/requests",
    control(Effect.map(SimulatorState, (state) => {
      state.log.clear()
      return HttpServerResponse.empty({ status: 204 })
    }))
  ),
  HttpRouter.get(
    "/__sim/faults",
    control(Effect.map(SimulatorState, (state) => HttpServerResponse.unsafeJson(state.faults.current)))
  ),
  HttpRouter.post("/__sim/faults", control(setFaults)),
  HttpRouter.get("/__sim/rules", control(Effect.map(SimulatorState, (state) => HttpServerResponse.unsafeJson(state.rules())))),
  HttpRouter.post("/__sim/rules", control(setRules)),
  HttpRouter.post("/__sim/reset", control(reset)),
  HttpRouter.del(
    "/__sim/tokens",
    control(Effect.map(SimulatorState, (state) => {
      state.credentials.expireAll()
      return HttpServerResponse.empty({ status: 204 })
    }))
  )
)
