/**
 * `orgsync plan --format markdown` as CI runs it: the built binary as a process, the simulator on loopback, the
 * desired files in a real git work tree (or not, or without git at all).
 */
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { DesiredCommit } from "@c42/reconcile"
import type { Simulator } from "@c42/simulator"
import { credentials, orgsync, workspace } from "../support/cli.js"
import { start } from "../support/simulator.js"
import { tempDir } from "../support/temp-dir.js"

const desiredYaml = `orgs:
  - name: Engineering
    status: blocked
    children:
      - name: Platform
  - name: Sales
`

const git = (cwd: string, ...args: ReadonlyArray<string>) =>
  execFileSync("git", ["-c", "user.name=CI", "-c", "user.email=ci@example.com", ...args], { cwd, encoding: "utf8" })
    .trim()

/** A git work tree holding `ws`'s desired file, committed; answers the short sha. */
const commitAll = (dir: string) => {
  git(dir, "init", "--quiet")
  git(dir, "add", "orgs.yaml")
  git(dir, "commit", "--quiet", "-m", "Desired orgs")
  return git(dir, "rev-parse", "--short", "HEAD")
}

describe("orgsync plan --format markdown", () => {
  it.scoped("heads the comment with the marker, the tenant and the commit, marked (modified) when edited", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const sha = commitAll(ws.dir)
      // Plans before any apply: no state database (none at the default path of the workspace).
      const args = ["plan", "--desired", ws.desired, "--url", sim.url, "--format", "markdown"]

      const committed = yield* orgsync(args, {}, credentials, ws.dir)
      expect(committed.code, committed.stderr).toBe(2)
      expect(committed.stdout.split("\n").slice(0, 4)).toEqual([
        "<!-- orgsync-plan -->",
        `### orgsync plan for <${sim.url}> at \`${sha}\``,
        "",
        "**Plan: ⚠️ 2 orgs to block, 0 to deactivate, 0 to prune; 0 to create, 0 to update, 0 to unblock, " +
        "0 to reactivate; 0 conflicts, 0 unmanaged.**"
      ])
      expect(committed.stdout).toContain("| ⚠️ block | Engineering | active → blocked, cascades to 1 org | desired |")
      expect(committed.stdout).toContain("  - Engineering/Platform")

      ws.write(`${desiredYaml}  - name: Support\n`)
      const edited = yield* orgsync(args, {}, credentials, ws.dir)
      expect(edited.stdout.split("\n")[1]).toBe(`### orgsync plan for <${sim.url}> at \`${sha}\` (modified)`)

      // Without git on the PATH: no commit, and no error either.
      const noGit = yield* tempDir("orgsync-no-git-")
      const withoutGit = yield* orgsync(args, { PATH: noGit }, credentials, ws.dir)
      expect(withoutGit.code, withoutGit.stderr).toBe(2)
      expect(withoutGit.stdout.split("\n")[1]).toBe(`### orgsync plan for <${sim.url}>`)
      expect(withoutGit.stderr).toBe("")
    }), 120_000)

  it.scoped("outside a git work tree names no commit", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(desiredYaml)
      const run = yield* orgsync(
        ["plan", "--desired", ws.desired, "--url", sim.url, "--format", "markdown"],
        { GIT_CEILING_DIRECTORIES: path.dirname(ws.dir) },
        credentials,
        ws.dir
      )
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout.split("\n")[1]).toBe(`### orgsync plan for <${sim.url}>`)
      expect(run.stderr).toBe("")
    }), 120_000)

  it.scoped("gives invalid desired files as markdown, on stdout or in --out, exits 1 and makes no call", () =>
    Effect.gen(function*() {
      const sim = yield* start()
      const ws = workspace(`${desiredYaml}  - name: Finance\n    colour: green\n  - name: Sales\n`)
      const args = ["plan", "--desired", ws.desired, "--state", ws.state, "--url", sim.url, "--format", "markdown"]
      const run = yield* orgsync(args)
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(new RegExp(`^<!-- orgsync-plan -->\n### orgsync plan for <${sim.url}>\n\n`))
      expect(run.stdout).toContain("**⛔ The desired files do not validate: 2 errors. Nothing was planned.**")
      expect(run.stdout).toMatch(/\| .*orgs\.yaml:8:5 \| .*colour/)
      expect(run.stdout).toMatch(/\| .*orgs\.yaml:9:\d+ \| .*Sales/)
      // The terminal still gets every error as file:line:column.
      expect(run.stderr).toContain(`${ws.desired}:8:5`)

      const out = path.join(ws.dir, "plan.md")
      expect((yield* orgsync([...args, "--out", out])).code).toBe(1)
      expect(fs.readFileSync(out, "utf8")).toBe(run.stdout)
      expect(sim.requests()).toEqual([])

      // Other formats keep writing nothing to stdout for invalid files.
      const text = yield* orgsync(args.slice(0, -2))
      expect(text.code).toBe(1)
      expect(text.stdout).toBe("")
    }), 120_000)
})

interface Outline {
  readonly name: string
  readonly notes?: string
  readonly status?: "blocked"
  readonly children: ReadonlyArray<Outline>
}

/**
 * A 3,000-org tenant and its desired state: 10 regions of 10 units; 74 teams to block with 2 or 3 squads
 * each (235 orgs); 2,654 desks whose notes change; 600 new desks.
 */
const reorganisation = () => {
  const units = Array.from({ length: 100 }, () => ({
    teams: [] as Array<{ name: string; squads: ReadonlyArray<string> }>,
    desks: [] as Array<string>,
    created: [] as Array<string>
  }))
  for (let i = 0; i < 74; i++) {
    units[i]!.teams.push({
      name: `Team ${i} Platform Operations`,
      squads: Array.from({ length: i < 13 ? 3 : 2 }, (_, k) => `Squad ${k} of team ${i}`)
    })
  }
  for (let i = 0; i < 2_654; i++) units[(i * 7) % 100]!.desks.push(`Desk ${i} Customer Success`)
  for (let i = 0; i < 600; i++) units[(i * 3) % 100]!.created.push(`New desk ${i}`)
  const tree = (side: "remote" | "desired"): ReadonlyArray<Outline> =>
    Array.from({ length: 10 }, (_, region) => ({
      name: `Region ${region}`,
      children: Array.from({ length: 10 }, (_, j) => {
        const unit = units[region * 10 + j]!
        return {
          name: `Business unit ${region * 10 + j}`,
          children: [
            ...unit.teams.map((team) => ({
              name: team.name,
              ...(side === "desired" ? { status: "blocked" as const } : {}),
              children: team.squads.map((name) => ({ name, children: [] }))
            })),
            ...unit.desks.map((name) => ({
              name,
              notes: side === "remote" ? "Cost centre 1000" : "Cost centre 2000, after the reorganisation",
              children: []
            })),
            ...(side === "desired" ? unit.created.map((name) => ({ name, children: [] })) : [])
          ]
        }
      })
    }))
  const seedOrg = (org: Outline): Simulator.SeedOrg => ({
    orgName: org.name,
    ...(org.notes === undefined ? {} : { notes: org.notes }),
    children: org.children.map(seedOrg)
  })
  const yaml = (orgs: ReadonlyArray<Outline>, indent: string): string =>
    orgs.map((org) =>
      `${indent}- name: ${org.name}\n` +
      (org.notes === undefined ? "" : `${indent}  notes: ${org.notes}\n`) +
      (org.status === undefined ? "" : `${indent}  status: ${org.status}\n`) +
      (org.children.length === 0 ? "" : `${indent}  children:\n${yaml(org.children, `${indent}    `)}`)
    ).join("")
  return {
    seed: { org: { orgName: "Acme", children: tree("remote").map(seedOrg) } } satisfies Simulator.Seed,
    desired: `orgs:\n${yaml(tree("desired"), "  ")}`,
    destructive: units.flatMap((unit, u) =>
      unit.teams.flatMap((team) => {
        const path = `Region ${Math.floor(u / 10)}/Business unit ${u}/${team.name}`
        return [path, ...team.squads.map((squad) => `${path}/${squad}`)]
      })
    )
  }
}

describe("orgsync plan --format markdown on a 3,000-org tenant", () => {
  it.scoped("lists every org of 74 blocks within 65,000 characters beside 3,254 other changes", () =>
    Effect.gen(function*() {
      const tenant = reorganisation()
      expect(tenant.destructive).toHaveLength(235)
      const sim = yield* start({ seed: tenant.seed })
      expect(sim.orgs()).toHaveLength(3_000)
      const ws = workspace(tenant.desired)
      const run = yield* orgsync(
        ["plan", "--desired", ws.desired, "--url", sim.url, "--format", "markdown"],
        {},
        credentials,
        ws.dir
      )
      expect(run.code, run.stderr).toBe(2)
      const comment = run.stdout.replace(/\n$/, "")
      expect(comment.length).toBeLessThanOrEqual(65_000)
      expect(comment).toContain("**Plan: ⚠️ 235 orgs to block, 0 to deactivate, 0 to prune; 600 to create, " +
        "2654 to update, 0 to unblock, 0 to reactivate;")
      const lines = comment.split("\n")
      const listed = lines.flatMap((line) => {
        const match = /^\| ⚠️ block \| ([^|]+) \|/.exec(line) ?? /^ {2}- (.+)$/.exec(line)
        return match === null ? [] : [match[1]!.trim()]
      })
      expect([...listed].sort()).toEqual([...tenant.destructive].sort())
      expect(comment).toMatch(/_\d+ more changes \(\d+ to create, 2654 to update\) not shown/)
    }), 180_000)
})

describe("DesiredCommit.read", () => {
  it.scoped("sees a new, uncommitted file in a desired folder, and nothing outside a work tree", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir("orgsync-commit-")
      const folder = path.join(dir, "orgs")
      fs.mkdirSync(folder)
      fs.writeFileSync(path.join(folder, "orgs.yaml"), desiredYaml)
      fs.writeFileSync(path.join(dir, "README"), "not desired\n")
      const outside = yield* DesiredCommit.read(folder)
      expect(outside).toEqual(Option.none())

      git(dir, "init", "--quiet")
      git(dir, "add", "-A")
      git(dir, "commit", "--quiet", "-m", "Desired orgs")
      const sha = git(dir, "rev-parse", "--short", "HEAD")
      expect(yield* DesiredCommit.read(folder)).toEqual(Option.some({ sha, modified: false }))
      fs.writeFileSync(path.join(dir, "README"), "changed, but not a desired file\n")
      expect(yield* DesiredCommit.read(folder)).toEqual(Option.some({ sha, modified: false }))
      fs.writeFileSync(path.join(folder, "sales.yaml"), "parent: Sales\norgs: []\n")
      expect(yield* DesiredCommit.read(folder)).toEqual(Option.some({ sha, modified: true }))
    }).pipe(Effect.provide(NodeContext.layer)))
})
