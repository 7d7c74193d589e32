/**
 * The git source against a bare repository on the local disk: the files at the fetched commit, a folder whose
 * files hang under each other, new commits, an unreachable remote, a missing branch or path, and a URL's
 * password kept out of every message.
 */
import { DesiredFiles } from "@c42/reconcile"
import { describe, expect, it } from "@effect/vitest"
import { NodeContext } from "@effect/platform-node"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as GitSource from "../../src/GitSource.js"
import { authorLine, gitRemote } from "../support/git-repo.js"
import { tempDir } from "../support/temp-dir.js"

const orgs = "orgs:\n  - name: Engineering\n  - name: Sales\n"

const source = Effect.flatMap(tempDir("orgsync-git-state-"), (dir) =>
  Effect.map(GitSource.make(path.join(dir, "state.db.git")), (git) => ({ git, folder: path.join(dir, "state.db.git") })))

const trees = (folder: string) => fs.readdirSync(path.join(folder, "trees"))

describe("GitSource", () => {
  it.scoped("writes out the desired file at the head commit of the branch, with its sha, author and subject", () =>
    Effect.gen(function*() {
      const remote = yield* gitRemote({ "orgs.yaml": orgs, "README.md": "not read" }, "Engineering and Sales")
      const { folder, git } = yield* source
      const checkout = yield* git.sync({ repo: remote.bare, branch: "main", path: "orgs.yaml" })
      expect(checkout.commit).toEqual({ sha: remote.head(), author: authorLine, subject: "Engineering and Sales" })
      expect(fs.readFileSync(checkout.desired, "utf8")).toBe(orgs)
      expect(fs.readdirSync(path.dirname(checkout.desired))).toEqual(["orgs.yaml"])
      expect(checkout.inRepo(checkout.desired)).toBe("orgs.yaml")
      expect(fs.statSync(folder).mode & 0o777).toBe(0o700)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("writes out a folder whose files anchor their orgs in each other's with parent:", () =>
    Effect.gen(function*() {
      const remote = yield* gitRemote({
        "config/orgs/base.yaml": "orgs:\n  - name: Engineering\n",
        "config/orgs/teams/platform.yaml": "parent: Engineering\norgs:\n  - name: Platform\n",
        "config/other.yaml": "orgs: [not read\n"
      })
      const { git } = yield* source
      const checkout = yield* git.sync({ repo: remote.bare, branch: "main", path: "./config/orgs/" })
      const desired = yield* DesiredFiles.load(checkout.desired)
      expect(desired.orgs.map((org) => [org.path, org.children.map((child) => child.path)])).toEqual([
        ["Engineering", ["Engineering/Platform"]]
      ])
      expect(desired.files.map(checkout.inRepo)).toEqual(["config/orgs/base.yaml", "config/orgs/teams/platform.yaml"])
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("follows new commits into a new folder, keeps only the newest, and writes a commit once", () =>
    Effect.gen(function*() {
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const { folder, git } = yield* source
      const settings = { repo: remote.bare, branch: "main", path: "orgs.yaml" }
      const first = yield* git.sync(settings)
      const changed = "orgs:\n  - name: Support\n"
      const sha = remote.push({ "orgs.yaml": changed }, "Support only")
      const second = yield* git.sync(settings)
      expect(second.commit.sha).toBe(sha)
      expect(second.commit.subject).toBe("Support only")
      expect(second.desired).not.toBe(first.desired)
      expect(fs.readFileSync(second.desired, "utf8")).toBe(changed)
      expect(fs.existsSync(first.desired)).toBe(false)
      expect(trees(folder)).toEqual([sha])

      const written = fs.statSync(second.desired).ino
      const again = yield* git.sync(settings)
      expect(again.desired).toBe(second.desired)
      expect(fs.statSync(again.desired).ino).toBe(written)
      expect(again.fetchedAt.getTime()).toBeGreaterThanOrEqual(second.fetchedAt.getTime())
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("an unreachable remote fails as Unreachable and leaves the last commit's files in place", () =>
    Effect.gen(function*() {
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const { git } = yield* source
      const settings = { repo: remote.bare, branch: "main", path: "orgs.yaml" }
      const good = yield* git.sync(settings)
      fs.rmSync(remote.bare, { recursive: true })
      const error = yield* Effect.flip(git.sync(settings))
      expect(error.reason).toBe("Unreachable")
      expect(error.message).toContain(`cannot fetch ${remote.bare} (branch main): `)
      expect(fs.readFileSync(good.desired, "utf8")).toBe(orgs)
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("a missing branch or path is named", () =>
    Effect.gen(function*() {
      const remote = yield* gitRemote({ "orgs.yaml": orgs })
      const { git } = yield* source
      const noBranch = yield* Effect.flip(git.sync({ repo: remote.bare, branch: "production", path: "orgs.yaml" }))
      expect(noBranch).toMatchObject({ reason: "NoBranch", message: `${remote.bare} has no branch production` })
      const noPath = yield* Effect.flip(git.sync({ repo: remote.bare, branch: "main", path: "config/orgs.yaml" }))
      expect(noPath.reason).toBe("NoPath")
      expect(noPath.message).toBe(
        `${remote.bare} has no file or folder config/orgs.yaml at ${remote.head().slice(0, 7)} (branch main)`
      )
    }).pipe(Effect.provide(NodeContext.layer)))

  it.scoped("never shows the password written into a URL", () =>
    Effect.gen(function*() {
      const { git } = yield* source
      const error = yield* Effect.flip(
        git.sync({ repo: "https://ada:s3cret-pw@127.0.0.1:1/orgs.git", branch: "main", path: "orgs.yaml" })
      )
      expect(error.reason).toBe("Unreachable")
      expect(error.message).toContain("https://ada:***@127.0.0.1:1/orgs.git")
      expect(error.message).not.toContain("s3cret-pw")
      expect(GitSource.redact("fatal: unable to access 'https://x-access-token:ghp_abc@github.com/a/b.git/'"))
        .toBe("fatal: unable to access 'https://x-access-token:***@github.com/a/b.git/'")
      expect(GitSource.redact("git@github.com:acme/orgs.git")).toBe("git@github.com:acme/orgs.git")
    }).pipe(Effect.provide(NodeContext.layer)))
})
