/**
 * Per-change failures are typed: a change Code42 refused or could not be asked is a `ChangeFailed` holding
 * Code42's reason and whether it is transient; a change that waits on one that failed is a `ChangeWaiting`; a
 * write whose answer was lost is uncertain, not failed. A test double for Code42 is a Layer.
 */
import { describe, expect, it } from "@effect/vitest"
import { Code42Error } from "@c42/core"
import { Effect, Layer } from "effect"
import * as Apply from "../src/Apply.js"
import { OrgApi } from "../src/OrgApi.js"
import type { Change } from "../src/Plan.js"
import { emptyPlan } from "./plan-fixtures.js"
import * as TenantDouble from "./tenant-double.js"

const { top } = TenantDouble

const change = (action: Change["action"], changePath: string, fields: Partial<Change> = {}): Change => ({
  action,
  path: changePath,
  orgUid: action === "create" ? null : `u/${changePath}`,
  orgId: action === "create" ? null : 7,
  parentPath: changePath.includes("/") ? changePath.slice(0, changePath.lastIndexOf("/")) : "",
  parentOrgUid: changePath.includes("/") ? null : top.orgUid,
  before: null,
  after: action === "create" ? { name: changePath.split("/").pop()! } : action === "update" ? { extRef: "S-2" } : null,
  cascadesTo: [],
  cause: "desired",
  ...fields
})

const details = (operation: string) => ({ operation, status: 500, description: "said by the test" })

/**
 * The tenant double as the test tells it: Legal's create is refused, Sales' update meets a server error, a block's
 * answer is lost.
 */
const code42 = Layer.effect(
  OrgApi,
  Effect.map(TenantDouble.make([]), ({ api }): OrgApi => ({
    ...api,
    create: (input) =>
      Effect.fail(new Code42Error.BadRequestError({ ...details("createOrg"), status: 400, description: input.orgName })),
    update: () => Effect.fail(new Code42Error.ServerError(details("updateOrg"))),
    act: (action) => Effect.fail(new Code42Error.UnknownOutcomeError({ ...details(action), reason: "the test lost it" }))
  }))
)

describe("Apply.execute", () => {
  it.effect("answers each failed change as a tagged failure, transient or terminal, and lost answers as uncertain", () =>
    Effect.gen(function*() {
      const changes = [
        change("create", "Legal"),
        change("create", "Legal/Contracts"),
        change("update", "Sales"),
        change("block", "Support")
      ]
      const result = yield* Apply.execute({ ...emptyPlan, rootOrgUid: top.orgUid, changes }, [top], { concurrency: 1 }).pipe(
        Effect.provide(Layer.merge(code42, TenantDouble.stateDb()))
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
