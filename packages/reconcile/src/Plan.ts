/**
 * The plan: a pure function from the desired tree, the remote snapshot and the identity mapping to the
 * fewest calls that converge, with conflicts and unmanaged orgs reported beside them. Its phases live in
 * `internal/plan/`: the tree, identifying each desired org, and converging.
 */
import { converge } from "./internal/plan/converge.js"
import { classify, identify } from "./internal/plan/identify.js"
import { buildTree, compare, depthOf, severity } from "./internal/plan/tree.js"
import type { Conflict, Plan, PlanInput } from "./PlanModel.js"
import * as RemoteTree from "./RemoteTree.js"

export * from "./PlanModel.js"

/** An empty plan: what the pure planner answers when it cannot even find the managed root. */
const rootMissing = (rootUid: string | undefined): Plan => ({
  changes: [],
  conflicts: [],
  unmanaged: [],
  refusal: {
    reason: "root-missing",
    message: rootUid === undefined
      ? "Code42 has no top-level org to manage."
      : `The managed root ${rootUid} is not in Code42: check \`root\` in the desired files.`
  },
  resolved: [],
  rootOrgUid: rootUid ?? "",
  managedCount: 0,
  restricted: 0
})

/**
 * Plans the fewest calls that make the remote tree under the managed root match the desired tree. Pure and
 * deterministic: the same input gives the same plan, in the order apply must follow.
 */
export const make = (input: PlanInput): Plan => {
  const remote = RemoteTree.index(input.remote)
  const rootUid = input.desired.root ?? remote.topLevel?.orgUid
  const rootOrg = rootUid === undefined ? undefined : remote.byUid.get(rootUid)
  if (rootOrg === undefined) return rootMissing(rootUid)

  const tree = buildTree(rootOrg, remote.children)
  const managedCount = tree.byUid.size - 1
  // An empty desired tree is far more often a broken checkout than a wish to prune everything.
  const emptyDesired = input.desired.orgs.length === 0 && managedCount > 0
  const conflicts: Array<Conflict> = []
  const reserved = identify(input, remote.byUid, tree, conflicts)
  const ordered = classify(tree, reserved, emptyDesired ? "report" : input.desired.prune)
  const { changes, pruned } = converge(ordered, input, conflicts)

  const restricted = ordered.filter((node) =>
    node.original !== undefined && severity[RemoteTree.statusOf(node)] > severity[node.original]
  ).length

  return {
    changes,
    conflicts: conflicts.sort((a, b) => depthOf(a.path) - depthOf(b.path) || compare(a.path, b.path) ||
      compare(a.kind, b.kind)),
    unmanaged: ordered.filter((node) => node.kind === "unmanaged").map((node) => ({
      path: node.path,
      orgUid: node.org!.orgUid,
      orgName: node.org!.orgName,
      status: node.original!,
      action: pruned.has(node) ? "deactivate" : "report"
    })),
    refusal: undefined,
    resolved: ordered.filter((node) => node.kind === "managed").map((node) => ({
      path: node.path,
      orgUid: node.org!.orgUid
    })),
    rootOrgUid: rootOrg.orgUid,
    managedCount,
    restricted
  }
}
