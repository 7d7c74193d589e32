/**
 * The org endpoints of code42-api.md section 2, in their three families: id-addressed v1 (`/api/v1/...`),
 * the same routes unversioned (`/api/...`), and guid-addressed v3 (`/api/v3/orgs`, answering the published
 * `OrgResponseInternal`). The refusals follow section 9: v1 and unversioned validation errors are 500s.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either, Schema } from "effect"
import { toJson, toV3Json } from "../OrgBody.js"
import type { OrgNode, OrgRefused, PageQuery, Rules, Tenant } from "../Tenant.js"
import { authenticated, callerOrg, signedInUser } from "./authRoutes.js"
import { ApiError, envelope, parseFlag, queryParams } from "./responses.js"
import { SimulatorState } from "./state.js"

type Family = "legacy" | "v1" | "v3"

const pgSizeLimit = 1000
const defaultPageSize = 100
const v3ListCap = 100

/**
 * A refusal as each family answers it: v1 and unversioned always with 500 (the array wrapped in `data` or,
 * on the unversioned path, carried in the reason phrase when the rules say so); v3 with 400, 409 for a
 * duplicate, 500 for what the server forbids outright.
 */
const refusal = (family: Family, code: string, description: string, kind: OrgRefused["kind"] = "invalid") =>
  Effect.flatMap(SimulatorState, (state) => {
    if (family === "v3") {
      const status = kind === "forbidden" ? 500 : kind === "duplicate" ? 409 : 400
      return Effect.fail(new ApiError({ status, code, description }))
    }
    const { errorsInData, errorsInReasonPhrase } = state.rules()
    const form = family === "legacy" && errorsInReasonPhrase ? "reasonPhrase" : errorsInData ? "data" : "array"
    return Effect.fail(new ApiError({ status: 500, code, description, form }))
  })

const notFound = (family: Family) =>
  new ApiError({ status: family === "v3" ? 404 : 400, code: "SYSTEM", description: "Organization was not found" })

const refused = (family: Family) => (refused: OrgRefused) =>
  refusal(family, refused.code, refused.description, refused.kind)

/** The create and update body of every family; v1 names the parent by uid, v3 by guid. */
const OrgBody = Schema.Struct({
  orgName: Schema.optional(Schema.Unknown),
  orgExtRef: Schema.optional(Schema.NullOr(Schema.String)),
  notes: Schema.optional(Schema.NullOr(Schema.String)),
  parentOrgUid: Schema.optional(Schema.NullOr(Schema.String)),
  parentOrgGuid: Schema.optional(Schema.NullOr(Schema.String))
})

const body = (family: Family) =>
  HttpServerRequest.schemaBodyJson(OrgBody).pipe(
    Effect.catchAll((error) =>
      refusal(
        family,
        "SYSTEM",
        `The request body is not a valid org: ${error._tag === "ParseError" ? error.message : "malformed JSON"}`
      )
    )
  )

/** A write through the tenant's rules, at the current time. */
const write = (
  family: Family,
  apply: (tenant: Tenant, now: number, rules: Rules) => Either.Either<OrgNode, OrgRefused>
) =>
  Effect.gen(function*() {
    const state = yield* SimulatorState
    const now = yield* Clock.currentTimeMillis
    return yield* Either.match(apply(state.tenant(), now, state.rules()), {
      onLeft: refused(family),
      onRight: Effect.succeed
    })
  })

/** One org: v3 in its published shape, v1 with the blast-radius counts when `incCounts=true`. */
const respondOrg = (family: Family) => (org: OrgNode) =>
  Effect.gen(function*() {
    if (family === "v3") return yield* envelope(toV3Json(org))
    const incCounts = yield* parseFlag("incCounts", (yield* queryParams)["incCounts"])
    const state = yield* SimulatorState
    const counts = incCounts === true ? state.tenant().counts(org) : undefined
    return yield* envelope(toJson(org, counts, state.rules().legacyBodies))
  })

const positiveInt = (name: string, value: string | undefined, fallback: number) =>
  value === undefined || value === ""
    ? Effect.succeed(fallback)
    : /^\d+$/.test(value) && Number(value) >= 1
    ? Effect.succeed(Number(value))
    : Effect.fail(new ApiError({ status: 400, code: "SYSTEM", description: `${name} must be a positive integer` }))

const listPage = Effect.gen(function*() {
  yield* authenticated
  const params = yield* queryParams
  const pgNum = yield* positiveInt("pgNum", params["pgNum"], 1)
  const pgSize = yield* positiveInt("pgSize", params["pgSize"], defaultPageSize)
  if (pgSize > pgSizeLimit) {
    return yield* new ApiError({ status: 400, code: "SYSTEM", description: `pgSize is at most ${pgSizeLimit}` })
  }
  const active = yield* parseFlag("active", params["active"])
  const legacy = (yield* SimulatorState).rules().legacyBodies
  return yield* envelope(yield* listed({ pgNum, pgSize, q: params["q"], active }, (org) => toJson(org, undefined, legacy)))
})

/**
 * A list page as the faults shape it: a server cap on the page size (pages then follow the capped size), a
 * `totalCount` that is off from the truth, and orgs created too recently left out.
 */
export const listed = <A>(query: PageQuery, body: (org: OrgNode, listed: (child: OrgNode) => boolean) => A) =>
  Effect.gen(function*() {
    const state = yield* SimulatorState
    const { listingLagMs, maxPageSize, totalCountOffset } = state.faults.current
    const pgSize = maxPageSize > 0 ? Math.min(query.pgSize, maxPageSize) : query.pgSize
    const createdBy = listingLagMs > 0 ? (yield* Clock.currentTimeMillis) - listingLagMs : undefined
    const tenant = state.tenant()
    const page = tenant.page({ ...query, pgSize, createdBy })
    // The child orgs a listed org counts are those the same listing shows.
    const shown = tenant.listedBy(createdBy)
    return {
      totalCount: Math.max(0, page.totalCount + totalCountOffset),
      orgs: page.orgs.map((org) => body(org, shown))
    }
  })

/** Without guids in its bodies the server has no guid-addressed routes (section 9). */
const guidRoutes = Effect.flatMap(SimulatorState, (state) =>
  state.rules().legacyBodies
    ? Effect.fail(new ApiError({ status: 404, code: "SYSTEM", description: "Resource not found" }))
    : Effect.void)

/** The org a v1 path names: by orgId, or by `idType=orgUid` (or `orgGuid`); a v3 path names it by guid. */
const target = (family: Family) =>
  Effect.gen(function*() {
    if (family === "v3") yield* guidRoutes
    yield* authenticated
    const params = yield* HttpRouter.params
    const state = yield* SimulatorState
    const tenant = state.tenant()
    if (family === "v3") return tenant.byGuid(params["orgGuid"] ?? "") ?? (yield* notFound(family))
    const id = params["orgId"] ?? ""
    const idType = (yield* queryParams)["idType"]?.toLowerCase()
    const org = idType === "orguid"
      ? tenant.byUid(id)
      : idType === "orgguid" && !state.rules().legacyBodies
      ? tenant.byGuid(id)
      : /^\d+$/.test(id)
      ? tenant.byId(Number(id))
      : undefined
    return org ?? (yield* notFound(family))
  })

/** Creates under the parent the body names, or under the top-level org when it names none. */
const create = (family: Family) =>
  Effect.gen(function*() {
    if (family === "v3") yield* guidRoutes
    yield* authenticated
    const fields = yield* body(family)
    const tenant = (yield* SimulatorState).tenant()
    const parentRef = family === "v3" ? fields.parentOrgGuid : fields.parentOrgUid
    const parent = parentRef == null
      ? tenant.top
      : family === "v3"
      ? tenant.byGuid(parentRef)
      : tenant.byUid(parentRef)
    if (parent === undefined) return yield* notFound(family)
    const org = yield* write(family, (tenant, now, rules) =>
      tenant.create(parent, { orgName: fields.orgName, orgExtRef: fields.orgExtRef, notes: fields.notes }, rules, now))
    return yield* respondOrg(family)(org)
  })

/**
 * A v1 update carries the whole org: a field left out is cleared (and a missing name refused). A v3 update is
 * partial: a field left out or sent as null keeps its value.
 */
const update = (family: Family) =>
  Effect.gen(function*() {
    const org = yield* target(family)
    const fields = yield* body(family)
    const given = <A>(value: A | null | undefined) => family === "v3" ? value ?? undefined : value ?? null
    const updated = yield* write(family, (tenant, now, rules) =>
      tenant.update(org, {
        orgName: given(fields.orgName),
        orgExtRef: given(fields.orgExtRef),
        notes: given(fields.notes)
      }, rules, now))
    return yield* respondOrg(family)(updated)
  })

type StateChange = "block" | "unblock" | "deactivate" | "reactivate"

const verbs: Record<StateChange, string> = {
  block: "block",
  unblock: "unblock",
  deactivate: "deactivate",
  reactivate: "activate"
}

/**
 * Changes an org's state, except the caller's own org, which the server refuses with 500. Answers the org,
 * except the id-addressed deactivation endpoints, which answer 204 with no body.
 */
const changeState = (family: Family, change: StateChange) =>
  Effect.gen(function*() {
    const org = yield* target(family)
    if (org === (yield* callerOrg)) {
      return yield* refusal(family, "SYSTEM", `You cannot ${verbs[change]} your own org`, "forbidden")
    }
    const changed = yield* write(family, (tenant, now, rules) =>
      change === "deactivate" ? tenant.deactivate(org, now, rules) : tenant[change](org, now))
    return family !== "v3" && (change === "deactivate" || change === "reactivate")
      ? HttpServerResponse.empty({ status: 204 })
      : yield* respondOrg(family)(changed)
  })

/** v3 lists have no paging: the first 100 orgs, which is why clients must not use them. */
const v3List = Effect.gen(function*() {
  yield* guidRoutes
  yield* authenticated
  const params = yield* queryParams
  const active = yield* parseFlag("active", params["active"])
  return yield* envelope(yield* listed({ pgNum: 1, pgSize: v3ListCap, q: params["q"], active }, toV3Json))
})

const currentOrg = Effect.gen(function*() {
  const { org } = yield* signedInUser
  return yield* respondOrg("v1")(org)
})

const idAddressed = (prefix: "/api/v1" | "/api", family: Family) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(`${prefix}/Org`, listPage),
    HttpRouter.get(`${prefix}/Org/my`, currentOrg),
    HttpRouter.get(`${prefix}/Org/:orgId`, Effect.flatMap(target(family), respondOrg(family))),
    HttpRouter.post(`${prefix}/Org`, create(family)),
    HttpRouter.put(`${prefix}/Org/:orgId`, update(family)),
    HttpRouter.put(`${prefix}/OrgBlock/:orgId`, changeState(family, "block")),
    HttpRouter.del(`${prefix}/OrgBlock/:orgId`, changeState(family, "unblock")),
    HttpRouter.put(`${prefix}/OrgDeactivation/:orgId`, changeState(family, "deactivate")),
    HttpRouter.del(`${prefix}/OrgDeactivation/:orgId`, changeState(family, "reactivate"))
  )

const guidAddressed = HttpRouter.empty.pipe(
  HttpRouter.get("/api/v3/orgs", v3List),
  HttpRouter.get("/api/v3/orgs/:orgGuid", Effect.flatMap(target("v3"), respondOrg("v3"))),
  HttpRouter.post("/api/v3/orgs", create("v3")),
  HttpRouter.put("/api/v3/orgs/:orgGuid", update("v3")),
  HttpRouter.post("/api/v3/orgs/:orgGuid/block", changeState("v3", "block")),
  HttpRouter.post("/api/v3/orgs/:orgGuid/unblock", changeState("v3", "unblock")),
  HttpRouter.post("/api/v3/orgs/:orgGuid/deactivate", changeState("v3", "deactivate")),
  HttpRouter.post("/api/v3/orgs/:orgGuid/activate", changeState("v3", "reactivate"))
)

export const orgRoutes = HttpRouter.concatAll(
  idAddressed("/api/v1", "v1"),
  idAddressed("/api", "legacy"),
  guidAddressed
)
