/**
 * A desired org tree that the soak tests generate and then edit at random, as a person editing orgs.yaml would
 * (creates, renames with `previously`, field updates, blocks, unblocks, deactivations, reactivations), always
 * keeping it valid; its YAML, as one file or as a folder joined by a `parent:` anchor; and the check that a
 * tenant is exactly as desired.
 */
import type { Simulator } from "@c42/simulator"
import type { PCGRandom } from "effect/Utils"

export type Status = "active" | "blocked" | "deactivated"

export type Edit = "create" | "rename" | "update" | "block" | "unblock" | "deactivate" | "reactivate"

interface Node {
  id: number
  name: string
  extRef: string
  /** `undefined`: not managed by the file. */
  notes: string | null | undefined
  /** As written in the file; `undefined` inherits the parent's. */
  status: Status | undefined
  previously: Array<string>
  children: Array<Node>
}

// Names a person might type, some of which YAML would misread unquoted.
const stems = ["Équipe", "Zürich Office", "東京 支社", "O'Brien & Co", "\"Quoted\" Unit", "Ops: Night", "# Hash"]

const weights: ReadonlyArray<readonly [Edit, number]> = [
  ["create", 20],
  ["rename", 18],
  ["update", 18],
  ["block", 12],
  ["unblock", 10],
  ["deactivate", 10],
  ["reactivate", 12]
]

/** Blocks and deactivations of one batch reach at most this share of the tree, well under the 25% guard. */
const restrictedShare = 0.15

export class RandomTree {
  private readonly orgs: Array<Node> = []
  private nextId = 1

  private constructor(private readonly random: PCGRandom, readonly root: string) {}

  /**
   * `count` orgs at most five levels deep under the managed root `root` (an orgUid), a few of them blocked or
   * deactivated.
   */
  static generate(count: number, random: PCGRandom, root: string): RandomTree {
    const tree = new RandomTree(random, root)
    const topLevel = Math.max(3, Math.round(Math.sqrt(count) / 3))
    const placed: Array<{ readonly node: Node; readonly depth: number }> = []
    for (let i = 0; i < count; i++) {
      const node = tree.newNode()
      if (i < topLevel) {
        tree.orgs.push(node)
        placed.push({ node, depth: 1 })
        continue
      }
      let parent = placed[random.integer(placed.length)]!
      while (parent.depth >= 5) parent = placed[random.integer(placed.length)]!
      parent.node.children.push(node)
      placed.push({ node, depth: parent.depth + 1 })
    }
    tree.edit(Math.ceil(count * 0.03), ["block", "deactivate"])
    return tree
  }

  /** An independent copy, to try an edit that is then thrown away. */
  clone(random: PCGRandom): RandomTree {
    const copy = new RandomTree(random, this.root)
    copy.orgs.push(...structuredClone(this.orgs))
    copy.nextId = this.nextId
    return copy
  }

  get size(): number {
    return this.all().length
  }

  /**
   * Makes `count` random edits that keep the tree valid; blocks and deactivations stay within a share of the
   * tree, so that the plan is never refused by the 25% guard. Answers what was done, for failure messages.
   */
  edit(count: number, kinds: ReadonlyArray<Edit> = weights.map(([kind]) => kind)): ReadonlyArray<string> {
    const done: Array<string> = []
    let budget = Math.max(1, Math.floor(this.size * restrictedShare))
    for (let attempts = 0; done.length < count && attempts < count * 20; attempts++) {
      const kind = this.pick(kinds)
      const result = this.apply(kind, budget)
      if (result === undefined) continue
      budget -= result.restricted
      done.push(result.description)
    }
    return done
  }

  /** orgs.yaml: the managed root and every org. */
  yaml(): string {
    return `root: "${this.root}"\norgs:\n${this.render(this.orgs, 2)}`
  }

  /**
   * The tree as a folder: the children of the top-level org with the most children live in their own file,
   * anchored with `parent:` as a team owning its subtree would keep them.
   */
  files(): Readonly<Record<string, string>> {
    const anchor = this.orgs.reduce((most, node) => (node.children.length > most.children.length ? node : most))
    const main = this.orgs.map((node) => (node === anchor ? { ...node, children: [] } : node))
    return {
      "orgs.yaml": `root: "${this.root}"\norgs:\n${this.render(main, 2)}`,
      "team.yaml": anchor.children.length === 0
        ? `parent: ${JSON.stringify(anchor.name)}\norgs: []\n`
        : `parent: ${JSON.stringify(anchor.name)}\norgs:\n${this.render(anchor.children, 2)}`
    }
  }

  /**
   * What differs between the tenant and the tree under the managed root: missing orgs, duplicates (two orgs of
   * one name under one parent), orgs that should not be there, and wrong fields or statuses. Empty: exactly
   * as desired.
   */
  mismatches(orgs: ReadonlyArray<Simulator.SimOrg>): ReadonlyArray<string> {
    const children = new Map<string, Array<Simulator.SimOrg>>()
    for (const org of orgs) {
      if (org.parentOrgUid === null) continue
      const siblings = children.get(org.parentOrgUid)
      if (siblings === undefined) children.set(org.parentOrgUid, [org])
      else siblings.push(org)
    }
    const problems: Array<string> = []
    // A server that renames the orgs it deactivates (`<name> deactivated <date>`) keeps the name before it.
    const nameOf = (org: Simulator.SimOrg) =>
      (!org.active && /^(.*) deactivated \d{4}-\d{2}-\d{2}\S*$/s.exec(org.orgName)?.[1]) || org.orgName
    const walk = (nodes: ReadonlyArray<Node>, parentUid: string, parentPath: string, inherited: Status) => {
      const remote = children.get(parentUid) ?? []
      const wanted = new Set(nodes.map((node) => node.name))
      for (const org of remote) {
        if (!wanted.has(nameOf(org))) problems.push(`unexpected ${parentPath}${org.orgName} (${org.orgUid})`)
      }
      for (const node of nodes) {
        const path = `${parentPath}${node.name}`
        const status = node.status ?? inherited
        const found = remote.filter((org) => nameOf(org) === node.name)
        if (found.length !== 1) {
          problems.push(found.length === 0 ? `missing ${path}` : `${found.length} orgs named ${path}`)
          continue
        }
        const org = found[0]!
        const actual: Status = !org.active ? "deactivated" : org.blocked ? "blocked" : "active"
        if (actual !== status) problems.push(`${path} is ${actual}, not ${status}`)
        if (org.orgExtRef !== node.extRef) problems.push(`${path} has extRef ${org.orgExtRef}, not ${node.extRef}`)
        // The v3 API clears a field to "" (null there means "keep"): both are empty.
        if (node.notes !== undefined && (org.notes ?? "") !== (node.notes ?? "")) {
          problems.push(`${path} has notes ${JSON.stringify(org.notes)}, not ${JSON.stringify(node.notes)}`)
        }
        walk(node.children, org.orgUid, `${path}/`, status)
      }
    }
    walk(this.orgs, this.root, "", "active")
    return problems
  }

  private newNode(): Node {
    const id = this.nextId++
    const stem = this.random.number() < 0.8 ? "Team" : stems[this.random.integer(stems.length)]!
    return {
      id,
      name: `${stem} ${String(id).padStart(5, "0")}`,
      extRef: `EXT-${id}`,
      notes: this.random.number() < 0.3 ? `Cost centre ${id}` : undefined,
      status: undefined,
      previously: [],
      children: []
    }
  }

  private pick(kinds: ReadonlyArray<Edit>): Edit {
    const eligible = weights.filter(([kind]) => kinds.includes(kind))
    let roll = this.random.number() * eligible.reduce((sum, [, weight]) => sum + weight, 0)
    for (const [kind, weight] of eligible) {
      roll -= weight
      if (roll < 0) return kind
    }
    return eligible[0]![0]
  }

  /** Every org with its depth (1 at the top), its effective status and its parent's, top-down. */
  private all() {
    const result: Array<{ node: Node; depth: number; status: Status; parentStatus: Status }> = []
    const walk = (nodes: ReadonlyArray<Node>, depth: number, parentStatus: Status) => {
      for (const node of nodes) {
        const status = node.status ?? parentStatus
        result.push({ node, depth, status, parentStatus })
        walk(node.children, depth + 1, status)
      }
    }
    walk(this.orgs, 1, "active")
    return result
  }

  private one<A>(candidates: ReadonlyArray<A>): A | undefined {
    return candidates.length === 0 ? undefined : candidates[this.random.integer(candidates.length)]
  }

  private apply(kind: Edit, budget: number): { description: string; restricted: number } | undefined {
    const all = this.all()
    const subtreeSize = (node: Node): number => 1 + node.children.reduce((sum, child) => sum + subtreeSize(child), 0)
    // Small subtrees only: a block or deactivation cascades to every org below.
    const small = (node: Node) => subtreeSize(node) <= Math.min(budget, Math.max(1, Math.floor(all.length * 0.03)))
    const done = (description: string, restricted = 0) => ({ description, restricted })
    switch (kind) {
      case "create": {
        // Code42 refuses children of blocked or deactivated orgs; six levels are plenty.
        const parents = all.filter((entry) => entry.status === "active" && entry.depth < 6)
        const parent = this.random.number() < 0.15 ? undefined : this.one(parents)?.node
        const node = this.newNode()
        if (parent === undefined) this.orgs.push(node)
        else parent.children.push(node)
        return done(`create ${node.name}`)
      }
      case "rename": {
        // orgsync never renames a deactivated org (Code42 may have renamed it on deactivation).
        const target = this.one(all.filter((entry) => entry.status !== "deactivated"))?.node
        if (target === undefined) return undefined
        const old = target.name
        target.name = `${old.replace(/ r\d+$/, "")} r${this.nextId++}`
        target.previously = [...target.previously, old].slice(-2)
        return done(`rename ${old} to ${target.name}`)
      }
      case "update": {
        const target = this.one(all)?.node
        if (target === undefined) return undefined
        if (this.random.number() < 0.5) target.extRef = `EXT-${target.id}-${this.nextId++}`
        else target.notes = this.random.number() < 0.2 ? null : `Notes ${this.nextId++}`
        return done(`update ${target.name}`)
      }
      case "block": {
        const target = this.one(all.filter((entry) => entry.status === "active" && small(entry.node)))?.node
        if (target === undefined) return undefined
        target.status = "blocked"
        return done(`block ${target.name}`, subtreeSize(target))
      }
      case "unblock": {
        const target = this.one(all.filter((e) => e.node.status === "blocked" && e.parentStatus === "active"))?.node
        if (target === undefined) return undefined
        target.status = undefined
        return done(`unblock ${target.name}`)
      }
      case "deactivate": {
        const target = this.one(all.filter((entry) => entry.status !== "deactivated" && small(entry.node)))?.node
        if (target === undefined) return undefined
        target.status = "deactivated"
        // A block below a deactivation is not a valid file.
        const clear = (nodes: ReadonlyArray<Node>): void =>
          nodes.forEach((node) => {
            if (node.status === "blocked") node.status = undefined
            clear(node.children)
          })
        clear(target.children)
        return done(`deactivate ${target.name}`, subtreeSize(target))
      }
      case "reactivate": {
        const target = this.one(all.filter((e) => e.node.status === "deactivated" && e.parentStatus !== "deactivated"))
          ?.node
        if (target === undefined) return undefined
        target.status = undefined
        return done(`reactivate ${target.name}`)
      }
    }
  }

  /** Items at `indent` spaces, their keys two further in. */
  private render(nodes: ReadonlyArray<Node>, indent: number): string {
    const item = " ".repeat(indent)
    const key = " ".repeat(indent + 2)
    return nodes.map((node) => {
      const lines = [`${item}- name: ${JSON.stringify(node.name)}`, `${key}extRef: ${JSON.stringify(node.extRef)}`]
      if (node.notes !== undefined) lines.push(`${key}notes: ${JSON.stringify(node.notes)}`)
      if (node.status !== undefined) lines.push(`${key}status: ${node.status}`)
      if (node.previously.length > 0) lines.push(`${key}previously: ${JSON.stringify(node.previously)}`)
      if (node.children.length > 0) lines.push(`${key}children:`, this.render(node.children, indent + 4).trimEnd())
      return lines.join("\n") + "\n"
    }).join("")
  }
}
