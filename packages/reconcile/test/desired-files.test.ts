import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type DesiredOrg, formatIssue } from "../src/Desired.js"
import * as DesiredFiles from "../src/DesiredFiles.js"

const fixtures = path.join(__dirname, "fixtures")
const invalid = path.join(fixtures, "invalid")
const valid = path.join(fixtures, "valid")

/** The issues of a load that must fail, as `file:line:column: message` lines relative to `base`. */
const failure = (target: string, base: string) =>
  DesiredFiles.load(target).pipe(
    Effect.flip,
    Effect.map((error) => error.issues.map((issue) => formatIssue(issue).split(base + path.sep).join("")))
  )

/** Each bad file or folder, beside the `.expected` lines it must produce. */
const corpus = fs.readdirSync(invalid).filter((name) => !name.endsWith(".expected")).sort()
const expectedFile = (name: string) => path.join(invalid, `${name.replace(/\.yaml$/, "")}.expected`)

/** The tree reduced to what a test compares: path, status and the managed fields. */
const outline = (orgs: ReadonlyArray<DesiredOrg>): ReadonlyArray<unknown> =>
  orgs.map((org) => ({
    path: org.path,
    status: org.status,
    ...(org.extRef !== undefined ? { extRef: org.extRef } : {}),
    ...(org.notes !== undefined ? { notes: org.notes } : {}),
    ...(org.uid !== undefined ? { uid: org.uid } : {}),
    ...(org.previously.length > 0 ? { previously: org.previously } : {}),
    ...(org.protect ? { protect: true } : {}),
    ...(org.children.length > 0 ? { children: outline(org.children) } : {})
  }))

layer(NodeFileSystem.layer)("DesiredFiles.load", (it) => {
  describe("rejects every bad file with exact positions and messages", () => {
    it("has a corpus of at least 40 cases, each with its expectation", () =>
      Effect.sync(() => {
        expect(corpus.length).toBeGreaterThanOrEqual(40)
        for (const name of corpus) expect(fs.existsSync(expectedFile(name)), name).toBe(true)
      }))

    for (const name of corpus) {
      it.effect(name, () =>
        Effect.gen(function*() {
          const expected = fs.readFileSync(expectedFile(name), "utf8")
          const lines = yield* failure(path.join(invalid, name), invalid)
          expect(lines).toEqual(expected.trimEnd().split("\n"))
        }))
    }
  })

  it.effect("inherits statuses down the tree", () =>
    Effect.gen(function*() {
      const state = yield* DesiredFiles.load(path.join(valid, "inheritance.yaml"))
      expect(outline(state.orgs)).toEqual([
        {
          path: "Engineering",
          status: "active",
          children: [{
            path: "Engineering/Platform",
            status: "blocked",
            children: [
              { path: "Engineering/Platform/Build", status: "blocked" },
              {
                path: "Engineering/Platform/Legacy Tools",
                status: "deactivated",
                children: [{ path: "Engineering/Platform/Legacy Tools/Old Build", status: "deactivated" }]
              }
            ]
          }]
        },
        {
          path: "Contractors",
          status: "blocked",
          children: [
            { path: "Contractors/Design Agency", status: "blocked" },
            { path: "Contractors/Former Agency", status: "deactivated" }
          ]
        },
        { path: "Archive", status: "deactivated" }
      ])
      expect(state.root).toBeUndefined()
      expect(state.prune).toBe("report")
    }))

  it.effect("keeps null apart from omitted, and reads previously, protect, uid pins, root and prune", () =>
    Effect.gen(function*() {
      const file = path.join(valid, "fields.yaml")
      const state = yield* DesiredFiles.load(file)
      expect(state.root).toBe("1007759454961904673")
      expect(state.prune).toBe("deactivate")
      expect(state.files).toEqual([file])
      expect(outline(state.orgs)).toEqual([
        {
          path: "Engineering",
          status: "active",
          extRef: "ENG-001",
          notes: "Product engineering.\nTwo lines.\n",
          children: [{ path: "Engineering/R&D \\/ Labs", status: "active", extRef: null, notes: null }]
        },
        {
          path: "Contractors",
          status: "active",
          uid: "1007759454961904700",
          previously: ["Vendors", "Suppliers: external"],
          protect: true
        },
        { path: "#1 Team — Zürich", status: "active" }
      ])
      const engineering = state.orgs[0]!
      expect(engineering.children[0]!.name).toBe("R&D / Labs")
      expect(engineering.location).toEqual({ file, line: 4, column: 5 })
      expect(state.orgs[2]!.extRef).toBeUndefined()
      expect(state.orgs[2]!.notes).toBeUndefined()
    }))

  it.effect("takes names as Code42 stores them, without the spaces around them", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-trim-"))
      const file = path.join(dir, "orgs.yaml")
      fs.writeFileSync(file, 'orgs:\n  - name: "Sales  "\n    previously: [" Vendors "]\n    children:\n      - name: " EMEA"\n')
      const state = yield* DesiredFiles.load(file)
      expect(outline(state.orgs)).toEqual([
        { path: "Sales", status: "active", previously: ["Vendors"], children: [{ path: "Sales/EMEA", status: "active" }] }
      ])
      expect(state.orgs[0]!.name).toBe("Sales")
    }))

  it.effect("repeats a subtree that an alias names, at each place it is used", () =>
    Effect.gen(function*() {
      const state = yield* DesiredFiles.load(path.join(valid, "aliases.yaml"))
      const regional = (region: string) => ({
        path: `Sales/${region}`,
        status: "active",
        children: [
          { path: `Sales/${region}/Inside Sales`, status: "active" },
          { path: `Sales/${region}/Field Sales`, status: "active", notes: "Visits customers on site" }
        ]
      })
      expect(outline(state.orgs)).toEqual([
        { path: "Sales", status: "active", children: [regional("EMEA"), regional("Americas")] },
        { path: "Support", status: "active", notes: "Visits customers on site" }
      ])
    }))

  it.effect("joins a folder: files sorted, anchors chained, dot-folders and other files skipped", () =>
    Effect.gen(function*() {
      const folder = path.join(valid, "folder")
      const state = yield* DesiredFiles.load(folder)
      expect(state.files.map((file) => path.relative(folder, file))).toEqual([
        "base.yaml",
        "engineering/platform.yaml",
        "engineering/teams.yaml",
        "sales.yaml",
        "settings.yml"
      ])
      expect(state.root).toBe("1007759454961904673")
      expect(state.prune).toBe("report")
      expect(outline(state.orgs)).toEqual([
        {
          path: "Engineering",
          status: "active",
          extRef: "ENG-001",
          children: [
            {
              path: "Engineering/Platform",
              status: "active",
              uid: "1007759454961904700",
              children: [
                { path: "Engineering/Platform/Build", status: "active" },
                { path: "Engineering/Platform/Runtime", status: "active" }
              ]
            },
            { path: "Engineering/Mobile", status: "active" }
          ]
        },
        {
          path: "Sales",
          status: "blocked",
          children: [
            { path: "Sales/EMEA", status: "blocked" },
            { path: "Sales/Americas", status: "deactivated" }
          ]
        }
      ])
      const runtime = state.orgs[0]!.children[0]!.children[1]!
      expect(runtime.location).toEqual({ file: path.join(folder, "engineering/teams.yaml"), line: 4, column: 5 })
    }))

  it.effect("accepts the example config/orgs.yaml, a small tree with one blocked branch", () =>
    Effect.gen(function*() {
      const state = yield* DesiredFiles.load(path.join(__dirname, "../../../config/orgs.yaml"))
      const all = (orgs: ReadonlyArray<DesiredOrg>): ReadonlyArray<DesiredOrg> =>
        orgs.flatMap((org) => [org, ...all(org.children)])
      const orgs = all(state.orgs)
      expect(orgs.length).toBeGreaterThanOrEqual(8)
      expect(orgs.length).toBeLessThanOrEqual(15)
      expect(orgs.filter((org) => org.status === "blocked").map((org) => org.path)).toEqual([
        "Contractors",
        "Contractors/Design Agency"
      ])
      expect(orgs.some((org) => org.path.split("/").length === 3)).toBe(true)
    }))

  it.effect("reports a path that does not exist", () =>
    Effect.gen(function*() {
      const missing = path.join(fixtures, "no-such-orgs.yaml")
      expect(yield* failure(missing, fixtures)).toEqual(["no-such-orgs.yaml:1:1: cannot read: not found"])
    }))
})
