/**
 * The org client of the Incydr API gateway (code42-api.md section 10), the supported successor of py42's
 * endpoints: `/v1/orgs`, answers without envelope, orgs identified by `orgGuid` (the family has no orgId,
 * orgUid, status or blocked), the tree built from `parentOrgGuid`. It has no block, unblock, current org or
 * lookup by uid: those methods fail with `UnsupportedByApiError`, never with a 404. The URL is the gateway
 * host (`https://api.us.code42.com`) or a server serving the family beside the others.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Context, Effect, Layer, Option, Schema, Stream, Struct } from "effect"
import * as ConfigError from "effect/ConfigError"
import type * as Scope from "effect/Scope"
import * as ClientConfig from "./ClientConfig.js"
import * as Code42Error from "./Code42Error.js"
import { defined, fromApi, integer } from "./internal/lenient.js"
import * as OrgFields from "./internal/orgFields.js"
import * as Pipeline from "./internal/pipeline.js"
import * as Org from "./Org.js"

/** An org as the gateway describes it (the fields of `Org` the family has); fields it did not send are `undefined`. */
export class GatewayOrg extends Schema.Class<GatewayOrg>("GatewayOrg")({
  orgGuid: Schema.String,
  ...Struct.pick(Org.Org.fields, ...OrgFields.names)
}) {}

/** A gateway org from an answer's body; dates are kept as sent (the family is inconsistent about them). */
export const GatewayOrgFromApi: Schema.Schema<GatewayOrg, unknown> = fromApi(
  Schema.typeSchema(GatewayOrg),
  Schema.Struct({ orgGuid: Schema.String.pipe(Schema.minLength(1)), ...OrgFields.body }),
  (body) => {
    const fields = OrgFields.read(body)
    return new GatewayOrg(
      defined(Object.assign({ orgGuid: body.orgGuid }, fields, { active: fields.active ?? OrgFields.activeByDate(body) })),
      true
    )
  }
)

/** The answer of `GET /v1/orgs`: every org at once (the family has no paging). */
const OrgList = Schema.Struct({ totalCount: Schema.optional(Schema.Unknown), orgs: Schema.Array(GatewayOrgFromApi) })

/**
 * Whether a whole listing holds fewer orgs under some org than that org's own `orgCount` (its child orgs) says:
 * a listing cut short (the family may cap it at 100 orgs) whose `totalCount` counts only what it returned. Each
 * org's count is compared with the orgs listed directly under it, active or not, so that no reading of
 * `orgCount` (its active children, or all of them) makes a whole listing look short.
 */
const shortOfCounts = (orgs: ReadonlyArray<GatewayOrg>): string | undefined => {
  const under = new Map<string, number>()
  for (const org of orgs) {
    if (org.parentOrgGuid != null) under.set(org.parentOrgGuid, (under.get(org.parentOrgGuid) ?? 0) + 1)
  }
  const short = orgs.find((org) => org.orgCount !== undefined && org.orgCount > (under.get(org.orgGuid) ?? 0))
  return short === undefined ? undefined : `the org listing holds ${under.get(short.orgGuid) ?? 0} orgs under ` +
    `"${short.orgName}" (${short.orgGuid}), which counts ${short.orgCount} child orgs: the listing was cut short`
}

/** The fields `createOrg` takes: those of `Org.CreateOrg`, the parent named by its guid. */
export interface CreateGatewayOrg extends Omit<Org.CreateOrg, "parentOrgUid"> {
  /** No parent means a child of the tenant's top-level org. */
  readonly parentOrgGuid?: string | undefined
}

export interface GatewayClient {
  /** Every org (or only the active, or only the deactivated ones), in one answer checked against its count. */
  readonly getAll: (options?: { readonly active?: boolean | undefined }) => Stream.Stream<GatewayOrg, Code42Error.Code42Error>
  readonly getById: (orgGuid: string) => Effect.Effect<GatewayOrg, Code42Error.Code42Error>
  /** Every org whose name equals `name` exactly. */
  readonly getByName: (name: string) => Effect.Effect<ReadonlyArray<GatewayOrg>, Code42Error.Code42Error>
  /** Never re-sent once it may have reached the server: an unknown outcome fails with `UnknownOutcomeError`. */
  readonly createOrg: (input: CreateGatewayOrg) => Effect.Effect<GatewayOrg, Code42Error.Code42Error>
  /** Changes name, external ref and notes; an omitted field stays as it is, a null one is cleared to "". */
  readonly updateOrg: (orgGuid: string, input: Org.UpdateOrg) => Effect.Effect<GatewayOrg, Code42Error.Code42Error>
  readonly deactivate: (orgGuid: string) => Effect.Effect<void, Code42Error.Code42Error>
  readonly reactivate: (orgGuid: string) => Effect.Effect<void, Code42Error.Code42Error>
  /** The family cannot block: always `UnsupportedByApiError`, without a request. */
  readonly block: (orgGuid: string) => Effect.Effect<never, Code42Error.UnsupportedByApiError>
  /** The family cannot unblock: always `UnsupportedByApiError`, without a request. */
  readonly unblock: (orgGuid: string) => Effect.Effect<never, Code42Error.UnsupportedByApiError>
  /** The family has no signed-in user's org: always `UnsupportedByApiError`, without a request. */
  readonly getCurrent: () => Effect.Effect<never, Code42Error.UnsupportedByApiError>
  /** The family has no orgUid: always `UnsupportedByApiError`, without a request. */
  readonly getByUid: (orgUid: string) => Effect.Effect<never, Code42Error.UnsupportedByApiError>
}

export const GatewayClient: Context.Tag<GatewayClient, GatewayClient> = Context.GenericTag<GatewayClient>(
  "@c42/core/GatewayClient"
)

const orgPath = (orgGuid: string) => `/v1/orgs/${encodeURIComponent(orgGuid)}`

const unsupported = (operation: string) => Effect.fail(new Code42Error.UnsupportedByApiError({ operation, api: "gateway" }))

/** The top-level org of a listing: the one whose parent is not listed (what Code42's SDK sends as parent). */
const topOf = (orgs: ReadonlyArray<GatewayOrg>): GatewayOrg | undefined => {
  const guids = new Set(orgs.map((org) => org.orgGuid))
  const tops = orgs.filter((org) => org.parentOrgGuid == null || !guids.has(org.parentOrgGuid))
  return tops.length === 1 ? tops[0] : undefined
}

export const make = (
  config: ClientConfig.ClientConfig
): Effect.Effect<GatewayClient, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* ClientConfig.resolve({ ...config, api: "gateway" })
    if (config.api !== undefined && config.api !== "gateway") {
      return yield* Effect.fail(ConfigError.InvalidData(["api"], `GatewayClient speaks api "gateway", not "${config.api}".`))
    }
    const pipeline = yield* Pipeline.make(resolved)

    const read = (operation: string, orgGuid: string) =>
      pipeline.json({ operation, kind: "read", request: HttpClientRequest.get(orgPath(orgGuid)) }, GatewayOrgFromApi)

    const list = (operation: string, active: boolean | undefined) =>
      pipeline.json({
        operation,
        kind: "read",
        request: HttpClientRequest.get("/v1/orgs").pipe(
          active === undefined ? (request) => request : HttpClientRequest.setUrlParam("active", String(active))
        )
      }, OrgList).pipe(
        Effect.flatMap(({ orgs, totalCount }) => {
          const announced = integer(totalCount)
          const guids = new Set(orgs.map((org) => org.orgGuid))
          // The family has no paging: an answer holding fewer orgs than it counts was cut short.
          const detail = guids.size !== orgs.length
            ? "the org listing returned an org twice"
            : announced !== undefined && announced !== orgs.length
            ? `the org listing announced ${announced} orgs but returned ${orgs.length}`
            : active === undefined
            ? shortOfCounts(orgs)
            : undefined
          return detail === undefined
            ? Effect.succeed(orgs)
            : Effect.fail(new Code42Error.InconsistentListingError({ operation, detail, reads: 1 }))
        })
      )

    const named = (operation: string, name: string) =>
      Effect.map(list(operation, undefined), (orgs) => orgs.filter((org) => org.orgName === name))

    /** A create or update: sent once; an empty answer is a success that says nothing, so `reread` fetches it. */
    const write = (
      operation: string,
      request: HttpClientRequest.HttpClientRequest,
      reread: Effect.Effect<GatewayOrg, Code42Error.Code42Error>
    ) =>
      pipeline.jsonOrEmpty({ operation, kind: "once", request }, GatewayOrgFromApi).pipe(
        Effect.flatMap(Option.match({ onNone: () => reread, onSome: Effect.succeed }))
      )

    const createOrg = (input: CreateGatewayOrg) =>
      Effect.gen(function*() {
        const parentOrgGuid = input.parentOrgGuid ?? topOf(yield* list("createOrg", undefined))?.orgGuid
        const created = Effect.flatMap(named("createOrg", input.orgName), (orgs) => {
          const under = orgs.filter((org) => parentOrgGuid === undefined || org.parentOrgGuid === parentOrgGuid)
          return under.length === 1 ? Effect.succeed(under[0]!) : Effect.fail(
            new Code42Error.UnknownOutcomeError({
              operation: "createOrg",
              accepted: true,
              reason: `Code42 accepted the create with an empty answer, and ${under.length} orgs named ` +
                `"${input.orgName}" are under the parent`
            })
          )
        })
        return yield* write(
          "createOrg",
          HttpClientRequest.post("/v1/orgs").pipe(HttpClientRequest.bodyUnsafeJson({
            orgName: input.orgName,
            orgExtRef: input.orgExtRef ?? null,
            notes: input.notes ?? null,
            parentOrgGuid: parentOrgGuid ?? null
          })),
          created
        )
      }).pipe(Effect.withSpan("GatewayClient.createOrg"))

    const updateOrg = (orgGuid: string, input: Org.UpdateOrg) =>
      Effect.gen(function*() {
        // The name is required: keeping it means sending it.
        const orgName = input.orgName ?? (yield* read("updateOrg", orgGuid)).orgName
        const partial = (value: string | null | undefined) => value === undefined ? null : value ?? ""
        return yield* write(
          "updateOrg",
          HttpClientRequest.put(orgPath(orgGuid)).pipe(HttpClientRequest.bodyUnsafeJson({
            orgName,
            orgExtRef: partial(input.orgExtRef),
            notes: partial(input.notes)
          })),
          read("updateOrg", orgGuid)
        )
      }).pipe(Effect.withSpan("GatewayClient.updateOrg", { attributes: { "code42.orgGuid": orgGuid } }))

    const action = (operation: string, name: "activate" | "deactivate") => (orgGuid: string) =>
      pipeline.send({ operation, kind: "idempotent", request: HttpClientRequest.post(`${orgPath(orgGuid)}/${name}`) })
        .pipe(Effect.withSpan(`GatewayClient.${operation}`, { attributes: { "code42.orgGuid": orgGuid } }))

    return {
      getAll: (options) => Stream.unwrap(Effect.map(list("getAll", options?.active), Stream.fromIterable)),
      getById: (orgGuid) =>
        read("getById", orgGuid).pipe(Effect.withSpan("GatewayClient.getById", { attributes: { "code42.orgGuid": orgGuid } })),
      getByName: (name) => named("getByName", name).pipe(Effect.withSpan("GatewayClient.getByName")),
      createOrg,
      updateOrg,
      deactivate: action("deactivate", "deactivate"),
      reactivate: action("reactivate", "activate"),
      block: () => unsupported("block"),
      unblock: () => unsupported("unblock"),
      getCurrent: () => unsupported("getCurrent"),
      getByUid: () => unsupported("getByUid")
    }
  })

/** The gateway client for `config`; needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`). */
export const layer = (
  config: ClientConfig.ClientConfig
): Layer.Layer<GatewayClient, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.scoped(GatewayClient, make(config))
