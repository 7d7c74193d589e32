/**
 * The CI templates of examples/ci, run for real: their shell steps against the simulator with the built
 * orgsync, in a git checkout, with a test double of the forge's API that records what would be posted.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { githubJob, gitlabJob, machine, template } from "../support/ci-templates.js"
import { named, start } from "../support/simulator.js"
import { writes } from "../support/request-log.js"
import { tempDir } from "../support/temp-dir.js"

const apiClient = { clientId: "ci-client", secret: "ci-secret" }

const desired = `orgs:
  - name: Engineering
    children:
      - name: Platform
        status: blocked
  - name: Sales
    extRef: S-1
  - name: Support
`
const withLegal = `${desired}  - name: Legal\n`
const invalid = `${withLegal}  - name: Finance\n    colour: green\n`

const marker = "<!-- orgsync-plan -->"

describe("examples/ci/github-actions.yml", () => {
  it.scopedLive("posts the plan as one sticky pull-request comment, updates it, and applies on merge", () =>
    Effect.gen(function*() {
      const sim = yield* start({ apiClients: [apiClient] })
      const ci = machine(yield* tempDir("orgsync-ci-github-"))
      yield* ci.init
      const workflow = template("github-actions.yml")
      const context = {
        "vars.CODE42_URL": sim.url,
        "secrets.CODE42_CLIENT_ID": apiClient.clientId,
        "secrets.CODE42_CLIENT_SECRET": apiClient.secret,
        "github.token": "gh-test-token",
        "github.event.pull_request.number": "42"
      }
      const variables = { GITHUB_REPOSITORY: "acme/org-tree" }
      const planJob = githubJob(ci, workflow, "plan", context, variables)
      const comments = "repos/acme/org-tree/issues/42/comments"

      // The first push of the pull request: a new comment with the marker and the plan.
      const first = yield* ci.commit(desired, "Block Platform, add Support")
      const opened = yield* planJob
      expect(opened.succeeded, JSON.stringify(opened.steps)).toBe(true)
      let forge = ci.forge()
      expect(forge.requests.map((r) => `${r.method} ${r.endpoint}`)).toEqual([`GET ${comments}`, `POST ${comments}`])
      expect(forge.comments).toHaveLength(1)
      const body = forge.comments[0]!.body
      expect(body.startsWith(`${marker}\n### orgsync plan for <${sim.url}> at \`${first}\`\n`)).toBe(true)
      expect(body).toContain("**Plan: ⚠️ 1 org to block, 0 to deactivate, 0 to prune; 1 to create, 1 to update,")
      expect(body).toContain("| ⚠️ block | Engineering/Platform | active → blocked | desired |")
      expect(body).toContain("| + create | Support | name: \"Support\" | desired |")
      expect(writes(sim.requests())).toEqual([])

      // A second push: the same comment is updated, not a second one posted.
      const second = yield* ci.commit(withLegal, "Add Legal")
      expect((yield* planJob).succeeded).toBe(true)
      forge = ci.forge()
      expect(forge.requests.slice(2).map((r) => `${r.method} ${r.endpoint}`)).toEqual([
        `GET ${comments}`,
        `PATCH repos/acme/org-tree/issues/comments/${forge.comments[0]!.id}`
      ])
      expect(forge.comments).toHaveLength(1)
      expect(forge.comments[0]!.body).toContain(`at \`${second}\``)
      expect(forge.comments[0]!.body).toContain("| + create | Legal |")

      // Invalid desired files: the errors replace the plan in the comment and the job fails.
      yield* ci.commit(invalid, "Add Finance")
      const broken = yield* planJob
      expect(broken.succeeded).toBe(false)
      expect(broken.steps.map((step) => `${step.id} ${step.code}`)).toEqual(["plan 1", "comment 0"])
      forge = ci.forge()
      expect(forge.comments).toHaveLength(1)
      expect(forge.comments[0]!.body).toContain("**⛔ The desired files do not validate: 1 error.")
      expect(forge.comments[0]!.body).toMatch(/\| orgs\/orgs\.yaml:11:5 \| .*colour/)
      expect(writes(sim.requests())).toEqual([])

      // The merge to the default branch applies, and the tenant then matches the files.
      yield* ci.commit(withLegal, "Drop Finance")
      const applied = yield* githubJob(ci, workflow, "apply", context, variables)
      expect(applied.succeeded, JSON.stringify(applied.steps)).toBe(true)
      expect(named(sim, "Platform")).toMatchObject([{ blocked: true, active: true }])
      expect(named(sim, "Sales")).toMatchObject([{ orgExtRef: "S-1" }])
      expect(named(sim, "Support")).toHaveLength(1)
      expect(named(sim, "Legal")).toHaveLength(1)
      expect((yield* planJob).succeeded).toBe(true)
      expect(ci.forge().comments[0]!.body).toContain("**No changes. The tree matches the desired state.**")
    }), 240_000)
})

describe("examples/ci/gitlab-ci.yml", () => {
  it.scopedLive("posts the plan as one sticky merge-request note, updates it, and applies on merge", () =>
    Effect.gen(function*() {
      const sim = yield* start({ apiClients: [apiClient] })
      const ci = machine(yield* tempDir("orgsync-ci-gitlab-"))
      yield* ci.init
      const pipeline = template("gitlab-ci.yml")
      const variables = {
        CODE42_URL: sim.url,
        CODE42_CLIENT_ID: apiClient.clientId,
        CODE42_CLIENT_SECRET: apiClient.secret,
        GITLAB_TOKEN: "glpat-test-token",
        CI_API_V4_URL: "https://gitlab.example/api/v4",
        CI_PROJECT_ID: "17",
        CI_MERGE_REQUEST_IID: "5",
        // Runners often force colour: the note's id must still come out as plain digits.
        FORCE_COLOR: "1"
      }
      const notes = "https://gitlab.example/api/v4/projects/17/merge_requests/5/notes"
      // A busy merge request: the sticky note lands on the second page of notes.
      const discussion = Array.from({ length: 150 }, (_, i) => ({ issue: "5", body: `Looks good ${i}` }))
      ci.seedForge(discussion)
      const pages = [`GET ${notes}?sort=asc&per_page=100&page=1`, `GET ${notes}?sort=asc&per_page=100&page=2`]

      const first = yield* ci.commit(desired, "Block Platform, add Support")
      const opened = yield* gitlabJob(ci, pipeline, "orgsync-plan", variables)
      expect(opened.code, opened.stderr).toBe(0)
      let forge = ci.forge()
      expect(forge.requests.map((r) => `${r.method} ${r.url}`)).toEqual([...pages, `POST ${notes}`])
      expect(forge.requests.map((r) => r.headers?.["private-token"])).toEqual(Array(3).fill("glpat-test-token"))
      expect(forge.comments).toHaveLength(151)
      const plan = () => forge.comments.filter((comment) => comment.body.startsWith(marker))
      expect(plan()).toHaveLength(1)
      const body = plan()[0]!.body
      expect(body.startsWith(`${marker}\n### orgsync plan for <${sim.url}> at \`${first}\`\n`)).toBe(true)
      expect(body).toContain("| ⚠️ block | Engineering/Platform | active → blocked | desired |")
      expect(writes(sim.requests())).toEqual([])

      yield* ci.commit(withLegal, "Add Legal")
      const updated = yield* gitlabJob(ci, pipeline, "orgsync-plan", variables)
      expect(updated.code, updated.stderr).toBe(0)
      forge = ci.forge()
      expect(forge.requests.slice(3).map((r) => `${r.method} ${r.url}`)).toEqual([
        ...pages,
        `PUT ${notes}/${plan()[0]!.id}`
      ])
      expect(forge.comments).toHaveLength(151)
      expect(plan()).toHaveLength(1)
      expect(plan()[0]!.body).toContain("| + create | Legal |")

      yield* ci.commit(invalid, "Add Finance")
      const broken = yield* gitlabJob(ci, pipeline, "orgsync-plan", variables)
      expect(broken.code).not.toBe(0)
      forge = ci.forge()
      expect(plan()[0]!.body).toContain("**⛔ The desired files do not validate: 1 error.")

      yield* ci.commit(withLegal, "Drop Finance")
      const applied = yield* gitlabJob(ci, pipeline, "orgsync-apply", variables)
      expect(applied.code, applied.stderr + applied.stdout).toBe(0)
      expect(named(sim, "Platform")).toMatchObject([{ blocked: true, active: true }])
      expect(named(sim, "Legal")).toHaveLength(1)
      expect((yield* gitlabJob(ci, pipeline, "orgsync-plan", variables)).code).toBe(0)
      forge = ci.forge()
      expect(plan()).toHaveLength(1)
      expect(plan()[0]!.body).toContain("**No changes. The tree matches the desired state.**")
    }), 240_000)
})
