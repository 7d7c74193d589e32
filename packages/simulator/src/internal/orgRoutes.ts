/**
 * The org endpoints of code42-api.md section 2, in their three families: id-addressed v1 (`/api/v1/...`),
 * the same routes unversioned (`/api/...`, whose old server answered validation errors with 500), and
 * guid-addressed v3 (`/api/v3/orgs`).
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Clock, Effect, Either, Schema } from "effect"
import { type OrgNode, type OrgRefused, type PageQuery, type Rules, type Tenant, toJson } from "../Tenant.js"
import { authenticated, signedInUser } from "./authRoutes.js"
import { ApiError, envelope, parseFlag, queryParams } from "./responses.js"
import { SimulatorState } from "./state.js"

type Family = "legacy" | "v1" | "v3"

const pgSizeLimit = 1000
const defaultPageSize = 100
const v3ListCap = 100

/** A request the rules refuse: 400 (409 for a duplicate), but 500 on the legacy path. */
const invalid = (family: Family, code: string, description: string, conflict = false) =>
  new ApiError({ status: family === "legacy" ? 500 : conflict ? 409 : 400, code, description })

const refusal = (family: Family) => (refused: OrgRefused) =>
  invalid(family, refused.code, refused.description, refused.conflict)

const notFound = (family: Family) =>
  new ApiError({ status: family === "v3" ? 404 : 400, code: "SYSTEM", description: "Organization was not found" })

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
    Effect.mapError((error) =>
      invalid(
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
    return yield* Either.mapLeft(
      // The fault settings carry the tenant's rules (uniqueSiblingNames).
      apply(state.tenant(), now, state.faults.current),
      refusal(family)
    )
  })

/** One org, with the blast-radius counts when `incCounts=true`. */
const respondOrg = (org: OrgNode) =>
  Effect.gen(function*() {
    const incCounts = yield* parseFlag("incCounts", (yield* queryParams)["incCounts"])
    const tenant = (yield* SimulatorState).tenant()
    return yield* envelope(toJson(org, incCounts === true ? tenant.counts(org) : undefined))
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
  return yield* envelope(yield* listed({ pgNum, pgSize, q: params["q"], active }))
})

/**
 * A list page as the faults shape it: a server cap on the page size (pages then follow the capped size) and
 * a `totalCount` that is off from the truth.
 */
const listed = (query: PageQuery) =>
  Effect.map(SimulatorState, (state) => {
    const { maxPageSize, totalCountOffset } = state.faults.current
    const pgSize = maxPageSize > 0 ? Math.min(query.pgSize, maxPageSize) : query.pgSize
    const page = state.tenant().page({ ...query, pgSize })
    return {
      totalCount: Math.max(0, page.totalCount + totalCountOffset),
      orgs: page.orgs.map((org) => toJson(org))
    }
  })

/** The org a v1 path names: by orgId, or by `idType=orgUid` (or `orgGuid`); a v3 path names it by guid. */
const target = (family: Family) =>
  Effect.gen(function*() {
    yield* authenticated
    const params = yield* HttpRouter.params
    const tenant = (yield* SimulatorState).tenant()
    if (family === "v3") return tenant.byGuid(params["orgGuid"] ?? "") ?? (yield* notFound(family))
    const id = params["orgId"] ?? ""
    const idType = (yield* queryParams)["idType"]?.toLowerCase()
    const org = idType === "orguid"
      ? tenant.byUid(id)
      : idType === "orgguid"
      ? tenant.byGuid(id)
      : /^\d+$/.test(id)
      ? tenant.byId(Number(id))
      : undefined
    return org ?? (yield* notFound(family))
  })

/** Creates under the parent the body names, or under the top-level org when it names none. */
const create = (family: Family) =>
  Effect.gen(function*() {
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
    return yield* respondOrg(org)
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
    return yield* respondOrg(updated)
  })

type StateChange = "block" | "unblock" | "deactivate" | "reactivate"

/** Answers the org, except the legacy deactivation endpoints, which answer 204 with no body. */
const changeState = (family: Family, change: StateChange) =>
  Effect.gen(function*() {
    const org = yield* target(family)
    const changed = yield* write(family, (tenant, now) => tenant[change](org, now))
    return family !== "v3" && (change === "deactivate" || change === "reactivate")
      ? HttpServerResponse.empty({ status: 204 })
      : yield* respondOrg(changed)
  })

/** v3 lists have no paging: the first 100 orgs, which is why clients must not use them. */
const v3List = Effect.gen(function*() {
  yield* authenticated
  const params = yield* queryParams
  const active = yield* parseFlag("active", params["active"])
  return yield* envelope(yield* listed({ pgNum: 1, pgSize: v3ListCap, q: params["q"], active }))
})

const currentOrg = Effect.gen(function*() {
  const { org } = yield* signedInUser
  return yield* respondOrg(org)
})

const idAddressed = (prefix: "/api/v1" | "/api", family: Family) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(`${prefix}/Org`, listPage),
    HttpRouter.get(`${prefix}/Org/my`, currentOrg),
    HttpRouter.get(`${prefix}/Org/:orgId`, Effect.flatMap(target(family), respondOrg)),
    HttpRouter.post(`${prefix}/Org`, create(family)),
    HttpRouter.put(`${prefix}/Org/:orgId`, update(family)),
    HttpRouter.put(`${prefix}/OrgBlock/:orgId`, changeState(family, "block")),
    HttpRouter.del(`${prefix}/OrgBlock/:orgId`, changeState(family, "unblock")),
    HttpRouter.put(`${prefix}/OrgDeactivation/:orgId`, changeState(family, "deactivate")),
    HttpRouter.del(`${prefix}/OrgDeactivation/:orgId`, changeState(family, "reactivate"))
  )

const guidAddressed = HttpRouter.empty.pipe(
  HttpRouter.get("/api/v3/orgs", v3List),
  HttpRouter.get("/api/v3/orgs/:orgGuid", Effect.flatMap(target("v3"), respondOrg)),
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
