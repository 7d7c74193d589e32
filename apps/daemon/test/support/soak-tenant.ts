/**
 * The tenant the soak tests start from: an empty managed root beside a "Bystanders" subtree that no desired
 * file mentions, so that "nothing outside the plan is touched" can be checked org by org, and the checks and
 * loops the soaks share.
 */
import type { Simulator } from "@c42/simulator"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Effect } from "effect"
import * as fs from "node:fs"
import { credentials, orgsync, type Run } from "./cli.js"

/** The orgUid of the managed root that the desired files name as `root`. */
export const managedRoot = "4100000000000000001"

const bystanders: ReadonlyArray<Simulator.SeedOrg> = [
  { orgName: "Legal", orgExtRef: "B-1", children: [{ orgName: "Contracts" }, { orgName: "Compliance" }] },
  { orgName: "Warehouse", blocked: true, children: [{ orgName: "Night Shift" }] },
  { orgName: "Old Branch", active: false },
  { orgName: "Research", notes: "left alone", children: [{ orgName: "Lab One" }, { orgName: "Lab Two" }] }
]

export const tenant: Simulator.Seed = {
  org: {
    orgName: "Soak Tenant",
    children: [{ orgName: "Managed", orgUid: managedRoot }, { orgName: "Bystanders", children: bystanders }]
  }
}

export interface JsonPlan {
  readonly changes: ReadonlyArray<{ readonly action: string; readonly path: string; readonly orgUid: string | null }>
}

/**
 * The orgs that changed between `before` and `after` although they are neither in `allowed` nor below an org
 * of `cascading` (the targets of blocks, unblocks and deactivations, which reach every org below).
 */
export const changedOutside = (
  before: ReadonlyArray<Simulator.SimOrg>,
  after: ReadonlyArray<Simulator.SimOrg>,
  allowed: ReadonlySet<string>,
  cascading: ReadonlySet<string>
): ReadonlyArray<string> => {
  const parentOf = new Map(before.map((org) => [org.orgUid, org.parentOrgUid]))
  const belowCascade = (uid: string): boolean => {
    for (let parent = parentOf.get(uid); typeof parent === "string"; parent = parentOf.get(parent)) {
      if (cascading.has(parent)) return true
    }
    return false
  }
  const now = new Map(after.map((org) => [org.orgUid, org]))
  return before.flatMap((org) => {
    if (allowed.has(org.orgUid) || belowCascade(org.orgUid)) return []
    const later = now.get(org.orgUid)
    return JSON.stringify(later) === JSON.stringify(org) ? [] : [`${org.orgName} (${org.orgUid}) changed`]
  })
}

/**
 * `orgsync plan --format json`, tried again when a read fails after all the client's retries. The plan is
 * read from the file `out`, not stdout: orgsync exits before a pipe has taken more than 64 KiB of a large plan.
 * Run in the folder `cwd` if given.
 */
export const planJson = (common: ReadonlyArray<string>, out: string, cwd?: string, attempts = 3) =>
  Effect.gen(function*() {
    let last: Run | undefined
    for (let i = 0; i < attempts; i++) {
      last = yield* orgsync(["plan", ...common, "--format", "json", "--out", out], {}, credentials, cwd)
      if (last.code !== 1) return { code: last.code, plan: JSON.parse(fs.readFileSync(out, "utf8")) as JsonPlan }
    }
    return yield* Effect.dieMessage(`orgsync plan failed ${attempts} times: ${last?.stderr}`)
  })

/**
 * `orgsync apply --yes` until it converges (exit 0), at most `attempts` times, in the folder `cwd` if given;
 * answers how many it took.
 */
export const applyUntilConverged = (common: ReadonlyArray<string>, attempts: number, cwd?: string) =>
  Effect.gen(function*() {
    const failures: Array<string> = []
    for (let i = 1; i <= attempts; i++) {
      const run = yield* orgsync(["apply", ...common, "--yes"], {}, credentials, cwd)
      if (run.code === 0) return i
      failures.push(run.stderr.split("\n").slice(0, 5).join("\n"))
    }
    return yield* Effect.dieMessage(
      `no convergence in ${attempts} applies; the first errors of each:\n${failures.join("\n--\n")}`
    )
  })

/** The journal's entries by outcome (`unsettled`: not settled yet), read from the state database file. */
export const journalOutcomes = (statePath: string): Effect.Effect<Readonly<Record<string, number>>> =>
  // A process killed early may not have created the file or its tables yet.
  !fs.existsSync(statePath) ? Effect.succeed({}) : Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const tables = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE name = 'journal'`
    if (tables.length === 0) return {}
    const rows = yield* sql<{ outcome: string | null; entries: number }>`
      SELECT outcome, count(*) AS entries FROM journal GROUP BY outcome`
    return Object.fromEntries(rows.map((row) => [row.outcome ?? "unsettled", row.entries]))
  }).pipe(Effect.provide(SqliteClient.layer({ filename: statePath })), Effect.orDie)
