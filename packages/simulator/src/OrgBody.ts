/**
 * The org bodies the server answers with, one per endpoint family: the full v1 body (code42-api.md section 4),
 * the published v3 `OrgResponseInternal`, and the gateway's `OrgResponse` (section 10). Under legacy bodies
 * (section 9) the v1 body has no guids, as 2020 and older servers sent it.
 */
import type { Counts, OrgNode } from "./Tenant.js"

/** An org as the v1 and unversioned families serialize it. */
export interface SimOrg {
  readonly orgId: number
  readonly orgUid: string
  readonly orgGuid?: string
  readonly orgName: string
  readonly orgExtRef: string | null
  readonly notes: string | null
  readonly status: "Active" | "Deactivated"
  readonly active: boolean
  readonly blocked: boolean
  readonly parentOrgId: number | null
  readonly parentOrgUid: string | null
  readonly parentOrgGuid?: string | null
  readonly type: "ENTERPRISE"
  readonly classification: "BASIC"
  readonly externalId: string
  readonly creationDate: string
  readonly modificationDate: string
  readonly deactivationDate: string | null
  readonly registrationKey: string
  readonly reporting: { readonly orgManagers: ReadonlyArray<never> }
  readonly customConfig: boolean
  readonly settings: { readonly maxSeats: null; readonly maxBytes: null }
  readonly hierarchyCounts: Counts | Record<string, never>
  readonly configInheritanceCounts: Record<string, never>
  readonly userCount?: number
  readonly computerCount?: number
  readonly orgCount?: number
}

/** The gateway's `OrgResponse`: no ids but the guids, no status, no block. */
export interface GatewayOrg {
  readonly orgGuid: string
  readonly orgName: string
  readonly orgExtRef: string | null
  readonly notes: string | null
  readonly parentOrgGuid: string | null
  readonly active: boolean
  readonly creationDate: string
  readonly modificationDate: string
  readonly deactivationDate: string | null
  readonly registrationKey: string
  readonly userCount: number
  readonly computerCount: number
  readonly orgCount: number
}

/** The v3 `OrgResponseInternal`: the gateway's fields, the ids, `blocked` and the deprecated `externalId`. */
export interface V3Org extends GatewayOrg {
  readonly orgId: number
  readonly orgUid: string
  readonly blocked: boolean
  readonly parentOrgId: number | null
  readonly parentOrgUid: string | null
  readonly externalId: string
}

const iso = (millis: number) => new Date(millis).toISOString()

/** The v1 body; with `counts` (from `incCounts=true`) it carries the blast-radius fields too. */
export const toJson = (org: OrgNode, counts?: Counts, legacy = false): SimOrg => ({
  orgId: org.orgId,
  orgUid: org.orgUid,
  ...(legacy ? {} : { orgGuid: org.orgGuid }),
  orgName: org.orgName,
  orgExtRef: org.orgExtRef,
  notes: org.notes,
  status: org.active ? "Active" : "Deactivated",
  active: org.active,
  blocked: org.blocked,
  parentOrgId: org.parent?.orgId ?? null,
  parentOrgUid: org.parent?.orgUid ?? null,
  ...(legacy ? {} : { parentOrgGuid: org.parent?.orgGuid ?? null }),
  type: "ENTERPRISE",
  classification: "BASIC",
  externalId: org.orgUid,
  creationDate: iso(org.creationDate),
  modificationDate: iso(org.modificationDate),
  deactivationDate: org.deactivationDate === null ? null : iso(org.deactivationDate),
  registrationKey: org.registrationKey,
  reporting: { orgManagers: [] },
  customConfig: false,
  settings: { maxSeats: null, maxBytes: null },
  hierarchyCounts: counts ?? {},
  configInheritanceCounts: {},
  ...(counts === undefined ? {} : {
    userCount: org.userCount,
    computerCount: org.computerCount,
    orgCount: counts.orgCount
  })
})

/** The published counts: the org's own users and computers, and its active child orgs (those `listed`). */
const ownCounts = (org: OrgNode, listed: (child: OrgNode) => boolean) => ({
  userCount: org.userCount,
  computerCount: org.computerCount,
  orgCount: org.children.filter((child) => child.active && listed(child)).length
})

const all = () => true

/** The gateway body. */
export const toGatewayJson = (org: OrgNode, listed: (child: OrgNode) => boolean = all): GatewayOrg => ({
  orgGuid: org.orgGuid,
  orgName: org.orgName,
  orgExtRef: org.orgExtRef,
  notes: org.notes,
  parentOrgGuid: org.parent?.orgGuid ?? null,
  active: org.active,
  creationDate: iso(org.creationDate),
  modificationDate: iso(org.modificationDate),
  deactivationDate: org.deactivationDate === null ? null : iso(org.deactivationDate),
  registrationKey: org.registrationKey,
  ...ownCounts(org, listed)
})

/** The v3 body, in the published property order. */
export const toV3Json = (org: OrgNode, listed: (child: OrgNode) => boolean = all): V3Org => ({
  orgId: org.orgId,
  orgUid: org.orgUid,
  orgGuid: org.orgGuid,
  orgName: org.orgName,
  orgExtRef: org.orgExtRef,
  notes: org.notes,
  active: org.active,
  blocked: org.blocked,
  parentOrgId: org.parent?.orgId ?? null,
  parentOrgUid: org.parent?.orgUid ?? null,
  parentOrgGuid: org.parent?.orgGuid ?? null,
  externalId: org.orgUid,
  creationDate: iso(org.creationDate),
  modificationDate: iso(org.modificationDate),
  deactivationDate: org.deactivationDate === null ? null : iso(org.deactivationDate),
  registrationKey: org.registrationKey,
  ...ownCounts(org, listed)
})
