/**
 * The state database's rows, each with a Schema that decodes it as SQLite returns it (JSON columns through
 * `Schema.parseJson`), and their reading into the service's records.
 */
import { Schema } from "effect"
import * as os from "node:os"
import type { DesiredOrg } from "../../Desired.js"
import type { RemoteOrg } from "../../OrgApi.js"
import type { Held, JournalEntry, RunRecord, RunWrite, StoredIdentity } from "../../StateDb.js"
import * as StateLock from "../../StateLock.js"

const Flag = Schema.Literal(0, 1)

export const JournalAction = Schema.Literal("create", "update", "block", "unblock", "deactivate", "reactivate")

export const JournalOutcome = Schema.Literal("done", "failed", "adopted", "not-applied", "reread")

/** `server-error`: a 5xx after the request was sent; `lost`: no answer; `accepted`: success without the org. */
export const JournalAnswer = Schema.Literal("server-error", "lost", "accepted")

export const RunKind = Schema.Literal("plan", "apply", "run")

export const RunResult = Schema.Literal(
  "converged",
  "pending",
  "failed",
  "refused",
  "declined",
  "error",
  "interrupted",
  "abandoned"
)

export const MetaRow = Schema.Struct({ value: Schema.String })

export const SnapshotRow = Schema.Struct({
  org_uid: Schema.String,
  org_id: Schema.NullOr(Schema.Int),
  org_guid: Schema.String,
  org_name: Schema.String,
  org_ext_ref: Schema.NullOr(Schema.String),
  notes: Schema.NullOr(Schema.String),
  status: Schema.String,
  active: Flag,
  blocked: Flag,
  parent_org_id: Schema.NullOr(Schema.Int),
  parent_org_uid: Schema.NullOr(Schema.String),
  parent_org_guid: Schema.NullOr(Schema.String)
})

export const snapshotOrg = (row: typeof SnapshotRow.Type): RemoteOrg => ({
  orgId: row.org_id ?? undefined,
  orgUid: row.org_uid,
  orgGuid: row.org_guid === "" ? undefined : row.org_guid,
  orgName: row.org_name,
  orgExtRef: row.org_ext_ref,
  notes: row.notes,
  status: row.status,
  active: row.active === 1,
  blocked: row.blocked === 1,
  parentOrgId: row.parent_org_id,
  parentOrgUid: row.parent_org_uid,
  parentOrgGuid: row.parent_org_guid
})

/** What was converged, as recorded; databases of 0.1.0 may hold only some of the fields. */
const Applied = Schema.Struct({
  name: Schema.optional(Schema.String),
  extRef: Schema.optional(Schema.NullOr(Schema.String)),
  notes: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.optional(Schema.Literal("active", "blocked", "deactivated"))
})

export const IdentityRow = Schema.Struct({
  path: Schema.String,
  org_uid: Schema.String,
  org_id: Schema.NullOr(Schema.Int),
  org_guid: Schema.String,
  applied: Schema.NullOr(Schema.parseJson(Applied))
})

export const storedIdentity = (row: typeof IdentityRow.Type): StoredIdentity => ({
  path: row.path,
  orgUid: row.org_uid,
  orgId: row.org_id ?? undefined,
  orgGuid: row.org_guid === "" ? undefined : row.org_guid,
  applied: row.applied ?? undefined
})

type AppliedFields = typeof Applied.Type
type Status = NonNullable<AppliedFields["status"]>

/** One string of each status for every identity: not one per row. */
const statuses: ReadonlyMap<unknown, Status> = new Map(
  (["active", "blocked", "deactivated"] as const).map((status) => [status, status])
)
const isTextOrNull = (value: unknown) => value === null || typeof value === "string"
/** `read`, or `held` when equal: the same text, one string. */
const same = <A>(read: A, held: A | undefined): A => read === held ? held as A : read

/**
 * `applied` as `Applied` decodes it (its fields in its order, others left out), its texts those of `want` where
 * equal; `undefined` if it does not decode.
 */
const quickApplied = (json: string, want: DesiredOrg | undefined): AppliedFields | undefined => {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return undefined
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
  const { extRef, name, notes, status } = value as Record<string, unknown>
  const applied: { -readonly [K in keyof AppliedFields]: AppliedFields[K] } = {}
  if (name !== undefined) {
    if (typeof name !== "string") return undefined
    applied.name = same(name, want?.name)
  }
  if (extRef !== undefined) {
    if (!isTextOrNull(extRef)) return undefined
    applied.extRef = same(extRef as string | null, want?.extRef)
  }
  if (notes !== undefined) {
    if (!isTextOrNull(notes)) return undefined
    applied.notes = same(notes as string | null, want?.notes)
  }
  if (status !== undefined) {
    const known = statuses.get(status)
    if (known === undefined) return undefined
    applied.status = known
  }
  return applied
}

/**
 * The identities of rows as orgsync writes them, read without the schema: a mapping of 100,000 orgs is read
 * on every pass, and decoding each row through it allocated about 6 kB a row. Their strings are those of
 * `held` where equal. `undefined` when any row is not as `IdentityRow` decodes it: the schema then says what
 * is wrong with it.
 */
export const quickIdentities = (rows: ReadonlyArray<unknown>, held?: Held): Array<StoredIdentity> | undefined => {
  const identities: Array<StoredIdentity> = []
  for (const item of rows) {
    if (typeof item !== "object" || item === null) return undefined
    const row = item as Record<string, unknown>
    const { applied: json, org_guid, org_id, org_uid, path } = row
    if (typeof path !== "string" || typeof org_uid !== "string" || typeof org_guid !== "string") return undefined
    if (org_id !== null && !(typeof org_id === "number" && Number.isSafeInteger(org_id))) return undefined
    const want = held?.desired(path)
    const org = held?.org(org_uid)
    let applied: AppliedFields | undefined
    if (json !== null) {
      if (typeof json !== "string") return undefined
      applied = quickApplied(json, want)
      if (applied === undefined) return undefined
    }
    identities.push({
      path: same(path, want?.path),
      orgUid: same(org_uid, org?.orgUid),
      orgId: org_id ?? undefined,
      orgGuid: org_guid === "" ? undefined : same(org_guid, org?.orgGuid),
      applied
    })
  }
  return identities
}

export const JournalRow = Schema.Struct({
  id: Schema.Int,
  action: JournalAction,
  path: Schema.String,
  org_uid: Schema.NullOr(Schema.String),
  parent_org_uid: Schema.NullOr(Schema.String),
  org_name: Schema.NullOr(Schema.String),
  preexisting: Schema.parseJson(Schema.Array(Schema.String)),
  created_at: Schema.Date,
  outcome: Schema.NullOr(JournalOutcome),
  settled_at: Schema.NullOr(Schema.Date),
  result_org_uid: Schema.NullOr(Schema.String),
  error: Schema.NullOr(Schema.String),
  answer: Schema.NullOr(JournalAnswer)
})

export const journalEntry = (row: typeof JournalRow.Type): JournalEntry => ({
  id: row.id,
  action: row.action,
  path: row.path,
  orgUid: row.org_uid,
  parentOrgUid: row.parent_org_uid,
  orgName: row.org_name,
  preexisting: row.preexisting,
  createdAt: row.created_at,
  answer: row.answer ?? undefined
})

export const runWrite = (row: typeof JournalRow.Type): RunWrite => ({
  id: row.id,
  action: row.action,
  path: row.path,
  orgUid: row.result_org_uid ?? row.org_uid,
  outcome: row.outcome ?? undefined,
  error: row.error,
  createdAt: row.created_at,
  settledAt: row.settled_at
})

export const RunRow = Schema.Struct({
  id: Schema.Int,
  kind: RunKind,
  started_at: Schema.Date,
  finished_at: Schema.NullOr(Schema.Date),
  dry_run: Flag,
  result: Schema.NullOr(RunResult),
  counts: Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Number })),
  errors: Schema.parseJson(Schema.Array(Schema.String)),
  pid: Schema.NullOr(Schema.Int),
  host: Schema.NullOr(Schema.String),
  commit_sha: Schema.NullOr(Schema.String),
  commit_author: Schema.NullOr(Schema.String),
  commit_subject: Schema.NullOr(Schema.String)
})

/** An unfinished run whose process, of this host, is gone. */
export const abandoned = (run: { readonly pid: number | null; readonly host: string | null }): boolean =>
  (run.host === null || run.host === os.hostname()) &&
  (run.pid === null || StateLock.processGone(run.pid, os.hostname()))

/** A run left unfinished by a process that is gone reads as `abandoned`, whether or not its writer has recorded it so. */
export const runRecord = (row: typeof RunRow.Type): RunRecord => ({
  id: row.id,
  kind: row.kind,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  dryRun: row.dry_run === 1,
  result: row.result ?? (abandoned(row) ? "abandoned" : null),
  counts: row.counts,
  errors: row.errors,
  commit: row.commit_sha === null
    ? null
    : { sha: row.commit_sha, author: row.commit_author ?? "", subject: row.commit_subject ?? "" }
})
