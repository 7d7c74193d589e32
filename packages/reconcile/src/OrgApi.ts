/**
 * The org calls the engine makes, on whichever endpoint family the settings name: v1 and v3 through
 * `OrgClient` (orgs known by orgUid, acted on by orgId), the Incydr API gateway through `GatewayClient` (orgs
 * known and acted on by orgGuid; no block, no unblock, no signed-in user's org).
 *
 * The engine's org is the client's `Org` with an optional orgId. The gateway family has neither orgId nor
 * orgUid: there the orgGuid is the org's uid, and the org has no orgId, rather than a made-up number that
 * could pass for a real one.
 */
import { type ClientConfig, type Code42Error, GatewayClient, type Org, OrgClient } from "@c42/core"
import type * as HttpClient from "@effect/platform/HttpClient"
import { Chunk, Context, Effect, Layer, Stream } from "effect"
import type * as ConfigError from "effect/ConfigError"

/** An org as the engine sees it: `orgUid` identifies it on every family; `orgId` is absent on the gateway. */
export type RemoteOrg = Omit<Org.Org, "orgId"> & { readonly orgId?: number | undefined }

/** One page of the listing; the first page's count says how many orgs the whole listing holds. */
export interface Page {
  readonly totalCount?: number | undefined
  readonly orgs: ReadonlyArray<RemoteOrg>
}

/** What a write names its org by: the uid always, the id where the family has one. */
export interface OrgRef {
  readonly orgUid: string
  readonly orgId?: number | undefined
}

export interface CreateOrg {
  readonly orgName: string
  readonly orgExtRef: string | null
  readonly notes: string | null
  readonly parentOrgUid: string
}

export type StateAction = "block" | "unblock" | "deactivate" | "reactivate"

export interface OrgApi {
  readonly api: ClientConfig.Api
  /** Whether the family can block and unblock: the gateway cannot, so plans on it never do. */
  readonly canBlock: boolean
  /** Every org of the tenant, page by page, with the fewest list calls. */
  readonly pages: Stream.Stream<Page, Code42Error.Code42Error>
  /** Never re-sent once it may have reached the server: an unknown outcome fails with `UnknownOutcomeError`. */
  readonly create: (input: CreateOrg) => Effect.Effect<RemoteOrg, Code42Error.Code42Error>
  readonly update: (org: OrgRef, input: Org.UpdateOrg) => Effect.Effect<RemoteOrg, Code42Error.Code42Error>
  readonly act: (action: StateAction, org: OrgRef) => Effect.Effect<void, Code42Error.Code42Error>
  /** The uid of the signed-in user's org (API clients have none; the gateway cannot tell). */
  readonly currentOrgUid: Effect.Effect<string, Code42Error.Code42Error>
}

export const OrgApi: Context.Tag<OrgApi, OrgApi> = Context.GenericTag<OrgApi>("@c42/reconcile/OrgApi")

/** The largest page the v1 listing serves: the fewest calls. */
const pgSize = 1000

/** The v1 and v3 families: an org without a known orgId (never the case for their own orgs) is read by uid. */
export const fromOrgClient = (client: OrgClient.OrgClient, api: "v1" | "v3"): OrgApi => {
  const idOf = (org: OrgRef) =>
    org.orgId === undefined ? Effect.map(client.getByUid(org.orgUid), (found) => found.orgId) : Effect.succeed(org.orgId)
  return {
    api,
    canBlock: true,
    // Suspended: each read asks the client afresh.
    // Lean: a whole tenant is held while planning, and what else the server sends (dates, counts, registration
    // keys) would be a third of it.
    pages: Stream.suspend(() => client.getAllPages({ pgSize, lean: true })),
    create: (input) => client.createOrg(input),
    update: (org, input) => Effect.flatMap(idOf(org), (orgId) => client.updateOrg(orgId, input)),
    act: (action, org) => Effect.flatMap(idOf(org), client[action]),
    currentOrgUid: Effect.suspend(() => Effect.map(client.getCurrent(), (org) => org.orgUid))
  }
}

/** A gateway org in the engine's terms: its guid is its uid, its parent's guid its parent's uid. */
export const fromGatewayOrg = (org: GatewayClient.GatewayOrg): RemoteOrg => ({
  orgUid: org.orgGuid,
  orgGuid: org.orgGuid,
  orgName: org.orgName,
  orgExtRef: org.orgExtRef,
  notes: org.notes,
  status: org.active === undefined ? undefined : org.active ? "Active" : "Deactivated",
  active: org.active,
  parentOrgUid: org.parentOrgGuid ?? null,
  parentOrgGuid: org.parentOrgGuid ?? null,
  creationDate: org.creationDate,
  modificationDate: org.modificationDate,
  deactivationDate: org.deactivationDate,
  registrationKey: org.registrationKey,
  userCount: org.userCount,
  computerCount: org.computerCount,
  orgCount: org.orgCount
})

/** The gateway family: one listing call, writes by guid; block, unblock and the current org are unsupported. */
export const fromGatewayClient = (client: GatewayClient.GatewayClient): OrgApi => ({
  api: "gateway",
  canBlock: false,
  pages: Stream.fromEffect(
    Effect.map(Stream.runCollect(Stream.suspend(() => client.getAll())), (orgs): Page => {
      const all = Chunk.toReadonlyArray(orgs).map(fromGatewayOrg)
      return { totalCount: all.length, orgs: all }
    })
  ),
  create: (input) =>
    Effect.map(
      client.createOrg({
        orgName: input.orgName,
        orgExtRef: input.orgExtRef,
        notes: input.notes,
        parentOrgGuid: input.parentOrgUid
      }),
      fromGatewayOrg
    ),
  update: (org, input) => Effect.map(client.updateOrg(org.orgUid, input), fromGatewayOrg),
  act: (action, org) =>
    action === "deactivate"
      ? client.deactivate(org.orgUid)
      : action === "reactivate"
      ? client.reactivate(org.orgUid)
      : client[action](org.orgUid),
  currentOrgUid: Effect.suspend(() => client.getCurrent())
})

/** The engine's calls over the `OrgClient` of the layer (v1 or v3). */
export const layerOrgClient = (api: "v1" | "v3"): Layer.Layer<OrgApi, never, OrgClient.OrgClient> =>
  Layer.effect(OrgApi, Effect.map(OrgClient.OrgClient, (client) => fromOrgClient(client, api)))

/** The engine's calls over the `GatewayClient` of the layer. */
export const layerGatewayClient: Layer.Layer<OrgApi, never, GatewayClient.GatewayClient> = Layer.effect(
  OrgApi,
  Effect.map(GatewayClient.GatewayClient, fromGatewayClient)
)

/** The engine's calls over the family `config` names (default v3); needs an `HttpClient`. */
export const layer = (
  config: ClientConfig.ClientConfig
): Layer.Layer<OrgApi, ConfigError.ConfigError, HttpClient.HttpClient> => {
  const api = config.api ?? "v3"
  return api === "gateway"
    ? Layer.provide(layerGatewayClient, GatewayClient.layer(config))
    : Layer.provide(layerOrgClient(api), OrgClient.layer(config))
}
