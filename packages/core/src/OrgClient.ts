/**
 * The Code42 organization client (the py42 `OrgClient` surface, code42-api.md section 1) as an Effect service.
 * One instance per layer: its token, rate limiter, Retry-After pause and guid cache are shared by every call.
 *
 * Lists always use the paged v1 endpoint (the v3 list is capped at 100). With `api: "v3"` (the default) the
 * writes go to the guid-addressed v3 endpoints; an orgId is turned into its orgGuid from the cache that every
 * read fills, or with one `GET /api/v1/Org/{orgId}`.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ConfigError from "effect/ConfigError"
import { Chunk, Context, Effect, Layer, Option, Schema, Stream } from "effect"
import type * as Scope from "effect/Scope"
import * as ClientConfig from "./ClientConfig.js"
import * as Code42Error from "./Code42Error.js"
import * as GuidCache from "./internal/guidCache.js"
import * as LeanListing from "./internal/leanListing.js"
import * as Listing from "./internal/listing.js"
import * as Pipeline from "./internal/pipeline.js"
import * as Org from "./Org.js"

export interface ListOptions {
  /** Orgs per page; default 500, at most 1000. */
  readonly pgSize?: number | undefined
  /** Only active (true) or only deactivated (false) orgs. */
  readonly active?: boolean | undefined
  /** Name search (the server matches substrings). */
  readonly q?: string | undefined
  /**
   * Keep of each org only what reconciling it reads (ids, uids, guids, name, external ref, notes, status,
   * active, blocked, parent), not its type, classification, dates, registration key or counts. Each page is
   * made lean as it arrives, so that a listing of 100,000 orgs is never held whole.
   */
  readonly lean?: boolean | undefined
}

export interface GetByIdOptions {
  /** Adds `userCount`, `computerCount` and `orgCount`: the blast radius of a block or deactivation. */
  readonly incCounts?: boolean | undefined
}

export interface OrgClient {
  /** Blocks the org and its descendants. */
  readonly block: (orgId: number) => Effect.Effect<void, Code42Error.Code42Error>
  /** Unblocks the org and its descendants. */
  readonly unblock: (orgId: number) => Effect.Effect<void, Code42Error.Code42Error>
  /** Deactivates the org and its descendants. */
  readonly deactivate: (orgId: number) => Effect.Effect<void, Code42Error.Code42Error>
  /** Reactivates the org only; refused while its parent is deactivated. */
  readonly reactivate: (orgId: number) => Effect.Effect<void, Code42Error.Code42Error>
  /** Never re-sent once it may have reached the server: an unknown outcome fails with `UnknownOutcomeError`. */
  readonly createOrg: (input: Org.CreateOrg) => Effect.Effect<Org.Org, Code42Error.Code42Error>
  /**
   * Changes name, external ref and notes; an omitted field stays as it is. The v3 endpoint cannot clear a
   * field (null means "keep"), so there a null clears it to "". Never re-sent once it may have reached the
   * server.
   */
  readonly updateOrg: (orgId: number, input: Org.UpdateOrg) => Effect.Effect<Org.Org, Code42Error.Code42Error>
  /**
   * Every org, page by page, starting with the top-level org. Paging goes on until the announced `totalCount`
   * is reached (or, without one, to the first page shorter than pgSize); a listing that does not hold what it
   * announced is read again, then fails with `InconsistentListingError`.
   */
  readonly getAllPages: (options?: ListOptions) => Stream.Stream<Org.OrgPage, Code42Error.Code42Error>
  /** Every org, one by one, in the order of `getAllPages`. */
  readonly getAll: (options?: ListOptions) => Stream.Stream<Org.Org, Code42Error.Code42Error>
  readonly getById: (orgId: number, options?: GetByIdOptions) => Effect.Effect<Org.Org, Code42Error.Code42Error>
  readonly getByUid: (orgUid: string) => Effect.Effect<Org.Org, Code42Error.Code42Error>
  /** Every org whose name equals `name` exactly (names are not unique), from the whole tenant. */
  readonly getByName: (name: string) => Effect.Effect<ReadonlyArray<Org.Org>, Code42Error.Code42Error>
  /** The org of the signed-in user (API clients have none: the server answers 500). */
  readonly getCurrent: () => Effect.Effect<Org.Org, Code42Error.Code42Error>
}

export const OrgClient: Context.Tag<OrgClient, OrgClient> = Context.GenericTag<OrgClient>("@c42/core/OrgClient")

const v1Org = (orgId: number | string) => `/api/v1/Org/${encodeURIComponent(String(orgId))}`
const v3Org = (orgGuid: string) => `/api/v3/orgs/${encodeURIComponent(orgGuid)}`

const pageSize = (pgSize: number | undefined) => Math.min(1000, Math.max(1, Math.floor(pgSize ?? 500)))

/** The four state actions: v1 verb and resource, v3 action name. */
const actions = {
  block: { v1: ["PUT", "OrgBlock"], v3: "block" },
  unblock: { v1: ["DELETE", "OrgBlock"], v3: "unblock" },
  deactivate: { v1: ["PUT", "OrgDeactivation"], v3: "deactivate" },
  reactivate: { v1: ["DELETE", "OrgDeactivation"], v3: "activate" }
} as const

export const make = (
  config: ClientConfig.ClientConfig
): Effect.Effect<OrgClient, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* ClientConfig.resolve(config)
    if (resolved.api === "gateway") {
      return yield* Effect.fail(ConfigError.InvalidData(
        ["api"],
        `The gateway family addresses orgs by orgGuid and has no orgId: use GatewayClient for api "gateway".`
      ))
    }
    const pipeline = yield* Pipeline.make(resolved)
    const guids = GuidCache.make()
    const v3 = resolved.api === "v3"

    const remember = (org: Org.Org) => Effect.sync(() => guids.remember(org))

    /** Reads one org and remembers its guid. */
    const read = (operation: string, request: HttpClientRequest.HttpClientRequest) =>
      pipeline.json({ operation, kind: "read", request }, Org.OrgFromApi).pipe(Effect.tap(remember))

    const withCounts = (options: GetByIdOptions | undefined) => (request: HttpClientRequest.HttpClientRequest) =>
      options?.incCounts === true ? HttpClientRequest.setUrlParam(request, "incCounts", "true") : request

    const readById = (operation: string, orgId: number, options?: GetByIdOptions) =>
      read(operation, HttpClientRequest.get(v1Org(orgId)).pipe(withCounts(options)))

    const readByUid = (operation: string, orgUid: string) =>
      read(operation, HttpClientRequest.get(v1Org(orgUid)).pipe(HttpClientRequest.setUrlParam("idType", "orgUid")))

    /**
     * The guid to act on with v3; `undefined` with v1, or for an org whose body has no guid (it is acted on
     * through the id-addressed routes). Looked up when run, not when built: an effect may be run again after
     * the cache has grown.
     */
    const guidOf = (operation: string, orgId: number) =>
      Effect.suspend(() => {
        if (!v3) return Effect.succeed(undefined)
        const known = guids.byId(orgId)
        return known === undefined
          ? Effect.map(readById(operation, orgId), (org) => org.orgGuid)
          : Effect.succeed(known ?? undefined)
      })

    const guidOfUid = (operation: string, orgUid: string) =>
      Effect.suspend(() => {
        if (!v3) return Effect.succeed(undefined)
        const known = guids.byUid(orgUid)
        return known === undefined
          ? Effect.map(readByUid(operation, orgUid), (org) => org.orgGuid)
          : Effect.succeed(known ?? undefined)
      })

    const action = (operation: keyof typeof actions) => (orgId: number) => {
      const { v1, v3: name } = actions[operation]
      return Effect.flatMap(guidOf(operation, orgId), (guid) =>
        pipeline.send({
          operation,
          kind: "idempotent",
          request: guid === undefined
            ? HttpClientRequest.make(v1[0])(`/api/v1/${v1[1]}/${orgId}`)
            : HttpClientRequest.post(`${v3Org(guid)}/${name}`)
        })).pipe(Effect.withSpan(`OrgClient.${operation}`, { attributes: { "code42.orgId": orgId } }))
    }

    /**
     * A create or update: sent once, the answer is the org as it now is. An empty answer is a success that
     * says nothing: `reread` then fetches the org.
     */
    const write = (
      operation: string,
      request: HttpClientRequest.HttpClientRequest,
      reread: Effect.Effect<Org.Org, Code42Error.Code42Error>
    ) =>
      pipeline.jsonOrEmpty({ operation, kind: "once", request }, Org.OrgFromApi).pipe(
        Effect.flatMap(Option.match({ onNone: () => reread, onSome: Effect.succeed })),
        Effect.tap(remember)
      )

    /** The org a create with an empty answer made: the one of that name under the parent. */
    const created = (input: Org.CreateOrg) =>
      Effect.flatMap(getByName("createOrg", input.orgName), (named) => {
        const under = named.filter((org) =>
          input.parentOrgUid === undefined || org.parentOrgUid === input.parentOrgUid
        )
        return under.length === 1 ? Effect.succeed(under[0]!) : Effect.fail(
          new Code42Error.UnknownOutcomeError({
            operation: "createOrg",
            accepted: true,
            reason: `Code42 accepted the create with an empty answer, and ${under.length} orgs named ` +
              `"${input.orgName}" are under the parent`
          })
        )
      })

    const createOrg = (input: Org.CreateOrg) =>
      Effect.gen(function*() {
        const fields = { orgName: input.orgName, orgExtRef: input.orgExtRef, notes: input.notes }
        const parentOrgGuid = input.parentOrgUid === undefined
          ? undefined
          : yield* guidOfUid("createOrg", input.parentOrgUid)
        // v1 also for a parent without a guid: v3 cannot name it.
        const request = v3 && (input.parentOrgUid === undefined || parentOrgGuid !== undefined)
          ? HttpClientRequest.post("/api/v3/orgs").pipe(HttpClientRequest.bodyUnsafeJson({ ...fields, parentOrgGuid }))
          : HttpClientRequest.post("/api/v1/Org/").pipe(
            HttpClientRequest.bodyUnsafeJson({ ...fields, parentOrgUid: input.parentOrgUid })
          )
        return yield* write("createOrg", request, created(input))
      }).pipe(Effect.withSpan("OrgClient.createOrg", { attributes: { "code42.parentOrgUid": input.parentOrgUid } }))

    const encodeOrg = Schema.encodeSync(Org.Org)

    const updateOrg = (orgId: number, input: Org.UpdateOrg) =>
      Effect.gen(function*() {
        const reread = readById("updateOrg", orgId)
        const guid = yield* guidOf("updateOrg", orgId)
        if (guid === undefined) {
          // The v1 update replaces the whole org: start from what the server holds now.
          const current = yield* reread
          return yield* write(
            "updateOrg",
            HttpClientRequest.put(v1Org(orgId)).pipe(HttpClientRequest.bodyUnsafeJson({
              ...encodeOrg(current),
              orgName: input.orgName ?? current.orgName,
              orgExtRef: input.orgExtRef === undefined ? current.orgExtRef : input.orgExtRef,
              notes: input.notes === undefined ? current.notes : input.notes
            })),
            reread
          )
        }
        const partial = (value: string | null | undefined) => value === undefined ? null : value ?? ""
        return yield* write(
          "updateOrg",
          HttpClientRequest.put(v3Org(guid)).pipe(HttpClientRequest.bodyUnsafeJson({
            orgName: input.orgName ?? null,
            orgExtRef: partial(input.orgExtRef),
            notes: partial(input.notes)
          })),
          reread
        )
      }).pipe(Effect.withSpan("OrgClient.updateOrg", { attributes: { "code42.orgId": orgId } }))

    /**
     * The whole listing, checked against the count it announced (see `Listing.read`) before any page is handed
     * out: a listing read again from the start must not hand out its first pages twice.
     */
    const pages = (operation: string, options: ListOptions | undefined) => {
      const pgSize = pageSize(options?.pgSize)
      const kept = options?.lean === true ? LeanListing.make() : (page: Org.OrgPage) => page
      const fetch = (pgNum: number) =>
        pipeline.json({
          operation,
          kind: "read",
          request: HttpClientRequest.get("/api/v1/Org").pipe(
            HttpClientRequest.setUrlParams({
              pgNum: String(pgNum),
              pgSize: String(pgSize),
              ...(options?.active === undefined ? {} : { active: String(options.active) }),
              ...(options?.q === undefined ? {} : { q: options.q })
            })
          )
        }, Org.OrgPageFromApi).pipe(
          Effect.map(kept),
          Effect.withSpan(`OrgClient.${operation}.page`, { attributes: { "code42.pgNum": pgNum } })
        )
      return Listing.read(operation, fetch, pgSize, resolved.retry.base).pipe(
        Effect.tap((pages) => Effect.sync(() => pages.forEach((page) => page.orgs.forEach(guids.remember)))),
        Effect.map((pages) => Stream.fromIterable(pages)),
        Stream.unwrap
      )
    }

    const getAll = (options?: ListOptions) => Stream.mapConcat(pages("getAll", options), (page) => page.orgs)

    const getByName = (operation: string, name: string) =>
      pages(operation, { q: name }).pipe(
        Stream.mapConcat((page) => page.orgs.filter((org) => org.orgName === name)),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )

    /**
     * v3 reads an org whose guid is known directly; otherwise (v1, an org not seen yet, or one without a guid)
     * the v1 read that would resolve the guid answers as well, so either way it is one request.
     */
    const readOne = (
      operation: string,
      guid: () => string | null | undefined,
      v1Read: Effect.Effect<Org.Org, Code42Error.Code42Error>,
      options?: GetByIdOptions
    ) =>
      Effect.suspend(() => {
        const known = v3 ? guid() : undefined
        return known == null
          ? v1Read
          : read(operation, HttpClientRequest.get(v3Org(known)).pipe(withCounts(options)))
      })

    return {
      block: action("block"),
      unblock: action("unblock"),
      deactivate: action("deactivate"),
      reactivate: action("reactivate"),
      createOrg,
      updateOrg,
      getAllPages: (options) => pages("getAllPages", options),
      getAll,
      getById: (orgId, options) =>
        readOne("getById", () => guids.byId(orgId), readById("getById", orgId, options), options).pipe(
          Effect.withSpan("OrgClient.getById", { attributes: { "code42.orgId": orgId } })
        ),
      getByUid: (orgUid) =>
        readOne("getByUid", () => guids.byUid(orgUid), readByUid("getByUid", orgUid)).pipe(
          Effect.withSpan("OrgClient.getByUid", { attributes: { "code42.orgUid": orgUid } })
        ),
      getByName: (name) => getByName("getByName", name).pipe(Effect.withSpan("OrgClient.getByName")),
      getCurrent: () =>
        read("getCurrent", HttpClientRequest.get(v1Org("my"))).pipe(Effect.withSpan("OrgClient.getCurrent"))
    }
  })

/** The client for `config`; needs an `HttpClient` (e.g. `NodeHttpClient.layerUndici`). */
export const layer = (
  config: ClientConfig.ClientConfig
): Layer.Layer<OrgClient, ConfigError.ConfigError, HttpClient.HttpClient> => Layer.scoped(OrgClient, make(config))

/** The client configured by `ClientConfig.fromEnv`. */
export const layerConfig: Layer.Layer<OrgClient, ConfigError.ConfigError, HttpClient.HttpClient> = Layer.scoped(
  OrgClient,
  Effect.flatMap(ClientConfig.fromEnv, make)
)
