/**
 * The git settings (`git.repo`, `git.branch`, `git.path`): from the flags, then `ORGSYNC_GIT_*`, then the
 * settings file's `git:` mapping, then the defaults; refused in one sentence when they cannot be right.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeContext } from "@effect/platform-node"
import { ConfigProvider, Effect, Option, type Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Settings from "../../src/Settings.js"
import { tempDir } from "../support/temp-dir.js"

/** Resolves the settings from `flags`, `environment` and, when given, a settings file holding `file`. */
const resolve = (
  flags: Omit<Settings.Flags, "config">,
  environment: Record<string, string>,
  file?: string
): Effect.Effect<Settings.Settings, Settings.SettingsError, Scope.Scope> =>
  Effect.gen(function*() {
    const dir = yield* tempDir("orgsync-git-settings-")
    const config = path.join(dir, "orgsync.yaml")
    if (file !== undefined) fs.writeFileSync(config, file)
    return yield* Settings.resolve({ ...flags, config: file === undefined ? Option.none() : Option.some(config) }).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(environment))))
    )
  }).pipe(Effect.provide(NodeContext.layer))

const file = "git:\n  repo: git@git.example.com:acme/orgs.git\n  branch: production\n  path: orgs\n"

describe("git settings", () => {
  it.scoped("none without a repository", () =>
    Effect.gen(function*() {
      expect(Settings.git(yield* resolve({}, { ORGSYNC_GIT_BRANCH: "production" }))).toBeUndefined()
    }))

  it.scoped("the file's git mapping, with main and config/orgs.yaml as defaults", () =>
    Effect.gen(function*() {
      expect(Settings.git(yield* resolve({}, {}, file))).toEqual({
        repo: "git@git.example.com:acme/orgs.git",
        branch: "production",
        path: "orgs"
      })
      expect(Settings.git(yield* resolve({}, {}, "git:\n  repo: /srv/git/orgs.git\n"))).toEqual({
        repo: "/srv/git/orgs.git",
        branch: "main",
        path: "config/orgs.yaml"
      })
    }))

  it.scoped("the environment over the file, the flags over the environment, each setting on its own", () =>
    Effect.gen(function*() {
      const environment = { ORGSYNC_GIT_REPO: "https://git.example.com/acme/orgs.git", ORGSYNC_GIT_PATH: "teams" }
      expect(Settings.git(yield* resolve({}, environment, file))).toEqual({
        repo: "https://git.example.com/acme/orgs.git",
        branch: "production",
        path: "teams"
      })
      const flags = { gitRepo: Option.some("/srv/git/orgs.git"), gitBranch: Option.some("staging") }
      expect(Settings.git(yield* resolve(flags, environment, file))).toEqual({
        repo: "/srv/git/orgs.git",
        branch: "staging",
        path: "teams"
      })
    }))

  it.scoped("an unknown key, a branch that is no branch name and a repository that reads as an option are refused", () =>
    Effect.gen(function*() {
      const unknown = yield* Effect.flip(resolve({}, {}, "git:\n  repo: /srv/git/orgs.git\n  ref: main\n"))
      expect(unknown.message).toMatch(/orgsync\.yaml: unknown setting git\.ref \(known: .*git\.repo, git\.branch, git\.path[,)]/)
      const notMapping = yield* Effect.flip(resolve({}, {}, "git: /srv/git/orgs.git\n"))
      expect(notMapping.message).toMatch(/orgsync\.yaml: git: expected a mapping of settings$/)
      for (const branch of ["-x", "a..b", "main:refs/heads/x", "topic/", "a b"]) {
        const error = yield* Effect.flip(resolve({ gitRepo: Option.some("/srv/git/orgs.git"), gitBranch: Option.some(branch) }, {}))
        expect(error.message).toBe(`--git-branch: expected a branch name, got ${branch}`)
      }
      const fromEnv = yield* Effect.flip(resolve({}, { ORGSYNC_GIT_REPO: "--upload-pack=touch /tmp/x" }))
      expect(fromEnv.message).toBe("ORGSYNC_GIT_REPO: expected a URL or a path to a repository, got --upload-pack=touch /tmp/x")
    }))
})
