/**
 * Per-change failures are typed: a change Code42 refused or could not be asked is a `ChangeFailed` holding
 * Code42's reason and whether it is transient; a change that waits on one that failed is a `ChangeWaiting`; a
 * write whose answer was lost is uncertain, not failed. A test double for Code42 is a Layer.
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Code42Error } from "@c42/core"
import { Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Apply from "../src/Apply.js"
import { OrgApi, type RemoteOrg } from "../src/OrgApi.js"
import type { Change, Plan } from "../src/Plan.js"
import * as StateDb from "../src/StateDb.js"

const root: RemoteOrg = {
  orgId: 1,
  orgUid: "root",
  orgName: "Tenant",
  orgExtRef: null,
  notes: null,
  active: true,
  blocked: false,
  parentOrgUid: null
}

const change = (action: Change["action"], changePath: string, fields: Partial<Change> = {}): Change => ({
  action,
  path: changePath,
  orgUid: action === "create" ? null : `u/${changePath}`,
  orgId: action === "create" ? null : 7,
  parentPath: changePath.includes("/") ? changePath.slice(0, changePath.lastIndexOf("/")) : "",
  parentOrgUid: changePath.includes("/") ? null : "root",
  before: null,
  after: action === "create" ? { name: changePath.split("/").pop()! } : action === "update" ? { extRef: "S-2" } : null,
  cascadesTo: [],
  cause: "desired",
  ...fields
})

const planOf = (changes: ReadonlyArray<Change>): Plan => ({
  changes,
  conflicts: [],
  unmanaged: [],
  refusal: undefined,
  resolved: [],
  rootOrgUid: "root",
  managedCount: 3,
  restricted: 0
})

const details = (operation: string) => ({ operation, status: 500, description: "said by the test" })

/** Code42 as the test tells it: Legal's create is refused, Sales' update meets a server error, a block's answer is lost. */
const code42 = Layer.succeed(OrgApi, {
  api: "v3",
  canBlock: true,
  pages: Stream.make({ orgs: [root] }),
  create: (input) =>
    Effect.fail(new Code42Error.BadRequestError({ ...details("createOrg"), status: 400, description: input.orgName })),
  update: () => Effect.fail(new Code42Error.ServerError(details("updateOrg"))),
  act: (action) => Effect.fail(new Code42Error.UnknownOutcomeError({ ...details(action), reason: "the test lost it" })),
  currentOrgUid: Effect.succeed("root")
})

const stateDb = () =>
  StateDb.layer(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-apply-")), "state.db")).pipe(
    Layer.provide(NodeContext.layer)
  )

describe("Apply.execute", () => {
  it.effect("answers each failed change as a tagged failure, transient or terminal, and lost answers as uncertain", () =>
    Effect.gen(function*() {
      const plan = planOf([
        change("create", "Legal"),
        change("create", "Legal/Contracts"),
        change("update", "Sales"),
        change("block", "Support")
      ])
      const result = yield* Apply.execute(plan, [root], { concurrency: 1 }).pipe(
        Effect.provide(Layer.merge(code42, stateDb()))
      )
      expect(result.errors.map((error) => error._tag)).toEqual(["ChangeFailed", "ChangeWaiting", "ChangeFailed"])
      const [legal, contracts, sales] = result.errors
      expect(legal).toBeInstanceOf(Apply.ChangeFailed)
      expect(legal).toMatchObject({ transient: false, reason: { _tag: "BadRequestError" }, change: { path: "Legal" } })
      expect(legal!.message).toBe("create Legal: createOrg: Code42 refused the request (400 Legal); check the values sent.")
      expect(contracts).toMatchObject({ _tag: "ChangeWaiting", detail: "skipped, its parent Legal was not created" })
      expect(sales).toMatchObject({ transient: true, reason: { _tag: "ServerError" }, change: { path: "Sales" } })
      expect({ applied: result.applied, failed: result.failed, unknown: result.unknown, transient: result.transient })
        .toEqual({ applied: 0, failed: 3, unknown: 1, transient: 2 })
      expect(result.uncertain.map(({ change, error }) => [change.path, error.reason._tag]))
        .toEqual([["Support", "UnknownOutcomeError"]])
    }))
})
