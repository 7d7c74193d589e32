import { Org } from "@c42/core"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import type { DesiredOrg, Status } from "../src/Desired.js"
import * as DesiredFiles from "../src/DesiredFiles.js"
import * as DesiredYaml from "../src/DesiredYaml.js"
import * as OrgPath from "../src/OrgPath.js"

interface Spec {
  readonly name: string
  readonly status?: Status
  readonly extRef?: string
  readonly notes?: string
  readonly children?: ReadonlyArray<Spec>
}

/** A tenant as Code42 lists it: a top-level org, then `specs` below it, numbered depth-first. */
const tenant = (specs: ReadonlyArray<Spec>, top: Status = "active"): ReadonlyArray<Org.Org> => {
  const orgs: Array<Org.Org> = []
  const add = (spec: Spec, parent: Org.Org | undefined) => {
    const id = orgs.length + 1
    const status = spec.status ?? "active"
    const org = new Org.Org({
      orgId: id,
      orgUid: `10077594549619${String(id).padStart(5, "0")}`,
      orgGuid: `guid-${id}`,
      orgName: spec.name,
      orgExtRef: spec.extRef ?? null,
      notes: spec.notes ?? null,
      status: status === "deactivated" ? "Deactivated" : "Active",
      active: status !== "deactivated",
      blocked: status === "blocked",
      parentOrgId: parent?.orgId ?? null,
      parentOrgUid: parent?.orgUid ?? null,
      parentOrgGuid: parent?.orgGuid ?? null
    })
    orgs.push(org)
    for (const child of spec.children ?? []) add(child, org)
  }
  add({ name: "Acme Corp", status: top, children: specs }, undefined)
  return orgs
}

/** Renders `orgs` under `rootOrgUid`, writes the file and loads it back. */
const roundTrip = (rootOrgUid: string, orgs: ReadonlyArray<Org.Org>) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "orgsync-import-" })
    const text = DesiredYaml.renderImport({ rootOrgUid, orgs })
    yield* fs.writeFileString(`${dir}/orgs.yaml`, text)
    const state = yield* DesiredFiles.load(`${dir}/orgs.yaml`)
    return { state, text }
  })

const remoteStatus = (org: Org.Org): Status => (!org.active ? "deactivated" : org.blocked ? "blocked" : "active")

/** The remote tree below `rootOrgUid` in the form the loaded file gives, children sorted by name. */
const remoteTree = (orgs: ReadonlyArray<Org.Org>, rootOrgUid: string, parentPath = ""): ReadonlyArray<unknown> =>
  orgs
    .filter((org) => org.parentOrgUid === rootOrgUid)
    .sort((a, b) => (a.orgName < b.orgName ? -1 : 1))
    .map((org) => {
      const path = OrgPath.child(parentPath, org.orgName)
      return {
        name: org.orgName,
        path,
        uid: org.orgUid,
        extRef: org.orgExtRef,
        notes: org.notes,
        status: remoteStatus(org),
        children: remoteTree(orgs, org.orgUid, path)
      }
    })

const loadedTree = (orgs: ReadonlyArray<DesiredOrg>): ReadonlyArray<unknown> =>
  orgs.map((org) => ({
    name: org.name,
    path: org.path,
    uid: org.uid,
    extRef: org.extRef ?? null,
    notes: org.notes ?? null,
    status: org.status,
    children: loadedTree(org.children)
  }))

const oddNames: ReadonlyArray<Spec> = [
  { name: "Engineering / R&D", extRef: "ENG-001", notes: "Line one\nLine two\n" },
  { name: "#1 Team", notes: "" },
  { name: "Key: value" },
  { name: `Quote "double" and 'single'` },
  { name: "Zürich — 東京 🚀" },
  { name: "true" },
  { name: "123456" },
  { name: "null" },
  { name: "- dash" },
  { name: "a  double  space" },
  { name: "back\\slash" },
  { name: "*star &amp !bang %pct @at `tick`" },
  { name: "[bracket] {brace}, comma" },
  { name: `${"Long name ".repeat(21)}end`.slice(0, 220) }
]

layer(NodeFileSystem.layer)("DesiredYaml.renderImport", (it) => {
  it.scoped("writes a file that loads back as the remote tree, odd names included", () =>
    Effect.gen(function*() {
      const orgs = tenant([
        ...oddNames,
        {
          name: "Contractors",
          status: "blocked",
          extRef: "CON-1",
          children: [{ name: "Design Agency", status: "blocked" }, { name: "Old Agency", status: "deactivated" }]
        },
        { name: "Archive", status: "deactivated", children: [{ name: "Archive 2019", status: "deactivated" }] },
        { name: "Sales", children: [{ name: "EMEA", status: "blocked" }, { name: "Americas" }] }
      ])
      const root = orgs[0]!.orgUid
      const { state, text } = yield* roundTrip(root, orgs)
      expect(state.root).toBe(root)
      expect(loadedTree(state.orgs)).toEqual(remoteTree(orgs, root))
      const lines = text.split("\n")
      expect(lines.slice(0, 3)).toEqual([
        "# yaml-language-server: $schema=./orgs.schema.json",
        "",
        `root: "${root}"`
      ])
      // status is written only where it differs from the parent's.
      expect(lines.filter((line) => line.trim().startsWith("status:")).map((line) => line.trim())).toEqual([
        "status: deactivated",
        "status: blocked",
        "status: deactivated",
        "status: blocked"
      ])
      expect(text).not.toMatch(/extRef: null|notes: null/)
    }))

  it.scoped("renders only the managed root's subtree", () =>
    Effect.gen(function*() {
      const orgs = tenant([{ name: "Engineering", children: [{ name: "Platform" }] }, { name: "Sales" }])
      const engineering = orgs.find((org) => org.orgName === "Engineering")!
      const { state } = yield* roundTrip(engineering.orgUid, orgs)
      expect(state.root).toBe(engineering.orgUid)
      expect(loadedTree(state.orgs)).toEqual(remoteTree(orgs, engineering.orgUid))
      expect(state.orgs.map((org) => org.path)).toEqual(["Platform"])
    }))

  it.scoped("writes an org active below a blocked one as blocked, with a comment that says so", () =>
    Effect.gen(function*() {
      const orgs = tenant([
        { name: "Contractors", status: "blocked", children: [{ name: "Unblocked Agency" }] },
        { name: "Archive", status: "deactivated", children: [{ name: "Revived", status: "blocked" }] }
      ])
      const { state, text } = yield* roundTrip(orgs[0]!.orgUid, orgs)
      expect(text).toContain(
        "status: blocked # active in Code42, which a file cannot express below a blocked parent"
      )
      expect(text).toContain(
        "status: deactivated # blocked in Code42, which a file cannot express below a deactivated parent"
      )
      expect(state.orgs.map((org) => [org.path, org.status, org.children.map((child) => child.status)])).toEqual([
        ["Archive", "deactivated", ["deactivated"]],
        ["Contractors", "blocked", ["blocked"]]
      ])
    }))

  it.scoped("says of an org Code42 listed without its status that the file gives it as active, unchecked", () =>
    Effect.gen(function*() {
      const listed = tenant([{ name: "Legacy" }, { name: "Sales" }])
      const orgs = listed.map((org) =>
        org.orgName === "Legacy" ? { ...org, status: undefined, active: undefined, blocked: undefined } : org
      )
      const { state, text } = yield* roundTrip(orgs[0]!.orgUid, orgs)
      expect(text).toContain(
        "- name: Legacy # Code42 did not say whether it is active, blocked or deactivated: written as active, check it"
      )
      expect(text.match(/did not say/g)).toHaveLength(1)
      expect(state.orgs.map((org) => [org.path, org.status])).toEqual([["Legacy", "active"], ["Sales", "active"]])
    }))

  it.scoped("renders an empty tree as a valid file", () =>
    Effect.gen(function*() {
      const orgs = tenant([])
      const { state, text } = yield* roundTrip(orgs[0]!.orgUid, orgs)
      expect(state.orgs).toEqual([])
      expect(text).toContain("orgs: []")
    }))
})
