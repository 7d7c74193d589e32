/**
 * The promise of `import`: planning the file it writes against the tenant it came from changes nothing. Some
 * states of a tenant cannot be said in a desired file (an active org under a blocked parent: a file's child
 * cannot be more active than its parent); the check loads the written file as `plan` would and plans it, so
 * that every such org is named rather than changed by the first apply.
 */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import * as DesiredFiles from "./DesiredFiles.js"
import type { RemoteOrg } from "./OrgApi.js"
import * as Plan from "./Plan.js"

/** One thing the file cannot hold as Code42 has it: the org's path and what the first plan would do. */
export interface Loss {
  readonly path: string
  readonly detail: string
}

/** What planning `text` (an imported orgs.yaml) against `remote` would change; empty when it round-trips. */
export const losses = (
  text: string,
  remote: ReadonlyArray<RemoteOrg>
): Effect.Effect<ReadonlyArray<Loss>, never, FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-import-" })
    const file = `${dir}/orgs.yaml`
    yield* fs.writeFileString(file, text)
    return yield* DesiredFiles.load(file).pipe(
      Effect.map((desired): ReadonlyArray<Loss> => {
        const plan = Plan.make({ desired, remote, identities: [], settings: { currentOrgUid: undefined } })
        return [
          ...plan.changes.map((change) => ({
            path: change.path,
            detail: change.before?.status !== undefined && change.after?.status !== undefined
              ? `${change.before.status} in Code42, ${change.action} on the first apply`
              : `${change.action} on the first apply`
          })),
          ...plan.conflicts.map((conflict) => ({ path: conflict.path, detail: conflict.message })),
          ...(plan.refusal === undefined ? [] : [{ path: "", detail: plan.refusal.message }])
        ]
      }),
      // Names Code42 allows but a file refuses (siblings that differ only by case, ...): the written file's line.
      Effect.catchTag("DesiredInvalid", (invalid) =>
        Effect.succeed(invalid.issues.map((issue) => ({
          path: "",
          detail: `line ${issue.line}, column ${issue.column}: ${issue.message}`
        }))))
    )
  })).pipe(Effect.orDie)
