/**
 * Runs the shell steps of the CI templates in examples/ci as their runners would: GitHub Actions' `run:` steps
 * (bash with `-eo pipefail`, `if: always()` after a failure, `${{ }}` expressions in `env:` from a table) and
 * GitLab CI's `script:` lines (one bash session). The built `orgsync` stands in for the install step, and the
 * forge test double (`forgeStub.mjs`) for `gh` and `curl`; everything else is the real thing.
 */
import { Effect } from "effect"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Yaml from "yaml"
import { bin, childEnv } from "./cli.js"

const examples = fileURLToPath(new URL("../../../../examples/ci/", import.meta.url))
const forgeStub = fileURLToPath(new URL("./forge-stub.mjs", import.meta.url))
const { version } = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8"))
/** The templates install the release line of this version (`orgsync@0.2` for 0.2.x). */
const install = `npm install --global orgsync@${version.split(".").slice(0, 2).join(".")}`

export const template = (name: string): Record<string, any> =>
  Yaml.parse(fs.readFileSync(path.join(examples, name), "utf8"))

export interface Shell {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface Forge {
  readonly comments: ReadonlyArray<{ readonly id: number; readonly issue: string; readonly body: string }>
  readonly requests: ReadonlyArray<{
    readonly tool: "gh" | "curl"
    readonly method: string
    readonly endpoint?: string
    readonly url?: string
    readonly headers?: Record<string, string>
    readonly fields: Record<string, string>
  }>
}

/**
 * A CI machine: a git checkout at `repo`, a PATH where `orgsync` is the built binary and `gh` and `curl` are
 * the forge double, whose state is read back with `forge()`.
 */
export const machine = (dir: string) => {
  const repo = path.join(dir, "repo")
  const binDir = path.join(dir, "bin")
  const forgeDir = path.join(dir, "forge")
  const runnerTemp = path.join(dir, "runner-temp")
  for (const folder of [repo, binDir, forgeDir, runnerTemp]) fs.mkdirSync(folder, { recursive: true })
  const wrapper = (name: string, target: string) =>
    fs.writeFileSync(path.join(binDir, name), `#!/bin/sh\nexec "${process.execPath}" ${target} "$@"\n`, { mode: 0o755 })
  wrapper("orgsync", `"${bin}"`)
  wrapper("gh", `"${forgeStub}" gh`)
  wrapper("curl", `"${forgeStub}" curl`)

  const git = (...args: ReadonlyArray<string>) =>
    shell(["-c", `git -c user.name=CI -c user.email=ci@example.com ${args.join(" ")}`], repo, {}).pipe(
      Effect.filterOrDieMessage((run) => run.code === 0, `git ${args.join(" ")} failed`),
      Effect.map((run) => run.stdout.trim())
    )

  /** Writes the desired file and commits it; answers the short sha. */
  const commit = (yaml: string, message: string) =>
    Effect.gen(function*() {
      fs.mkdirSync(path.join(repo, "orgs"), { recursive: true })
      fs.writeFileSync(path.join(repo, "orgs", "orgs.yaml"), yaml)
      yield* git("add", "-A")
      yield* git("commit", "--quiet", "-m", `'${message}'`)
      return yield* git("rev-parse", "--short", "HEAD")
    })

  const env = (variables: Record<string, string>) => ({
    PATH: `${binDir}:${process.env.PATH ?? ""}`,
    FORGE_STUB_DIR: forgeDir,
    ...variables
  })

  return {
    repo,
    runnerTemp,
    init: git("init", "--quiet", "-b", "main"),
    commit,
    /** Comments already on the pull request before a job runs. */
    seedForge: (comments: ReadonlyArray<{ readonly issue: string; readonly body: string }>) =>
      fs.writeFileSync(
        path.join(forgeDir, "forge.json"),
        JSON.stringify({ nextId: 1 + comments.length, comments: comments.map((c, i) => ({ id: i + 1, ...c })), requests: [] })
      ),
    forge: (): Forge => {
      const file = path.join(forgeDir, "forge.json")
      return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { comments: [], requests: [] }
    },
    /** Runs `bash ...args` in the checkout with `variables` over a clean environment and the machine's PATH. */
    bash: (args: ReadonlyArray<string>, variables: Record<string, string>) => shell(args, repo, env(variables))
  }
}

export type Machine = ReturnType<typeof machine>

const shell = (args: ReadonlyArray<string>, cwd: string, env: Record<string, string>) =>
  Effect.async<Shell>((resume) => {
    const child = execFile(
      "bash",
      ["--noprofile", "--norc", ...args],
      { cwd, env: childEnv(env), maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resume(Effect.succeed({ code, stdout, stderr }))
      }
    )
    child.stdin?.end()
    return Effect.sync(() => child.kill())
  })

/** `${{ expression }}` replaced from `context`; an expression the test does not know is an error. */
const expand = (env: Record<string, string> | undefined, context: Record<string, string>) =>
  Object.fromEntries(Object.entries(env ?? {}).map(([key, value]) => [
    key,
    String(value).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, expression: string) => {
      if (!(expression in context)) throw new Error(`${key}: no value for the expression ${expression}`)
      return context[expression]!
    })
  ]))

export interface StepRun extends Shell {
  readonly id: string
}

/**
 * Runs a job of a GitHub Actions workflow: its `run:` steps in order, skipping `uses:` steps and the install
 * step (`id: install`), and after a failure only the `if: always()` steps.
 */
export const githubJob = (
  ci: Machine,
  workflow: Record<string, any>,
  jobName: string,
  context: Record<string, string>,
  variables: Record<string, string>
) =>
  Effect.gen(function*() {
    const job = workflow.jobs[jobName]
    const shellName = workflow.defaults?.run?.shell
    if (shellName !== "bash") throw new Error(`expected defaults.run.shell: bash, got ${shellName}`)
    const steps: Array<StepRun> = []
    let failed = false
    for (const step of job.steps as ReadonlyArray<Record<string, any>>) {
      if (step.uses !== undefined) continue
      if (step.id === "install") {
        if (String(step.run).trim() !== install) throw new Error(`expected the install step \`${install}\``)
        continue
      }
      if (step.if !== undefined && step.if !== "always()") throw new Error(`unsupported if: ${step.if}`)
      if (failed && step.if !== "always()") continue
      const script = path.join(ci.runnerTemp, `${step.id}.sh`)
      fs.writeFileSync(script, step.run)
      const run = yield* ci.bash(["-eo", "pipefail", script], {
        ...expand(workflow.env, context),
        ...expand(job.env, context),
        ...expand(step.env, context),
        RUNNER_TEMP: ci.runnerTemp,
        ...variables
      })
      steps.push({ id: step.id, ...run })
      failed ||= run.code !== 0
    }
    return { steps, succeeded: !failed }
  })

/** Runs a job of a GitLab CI file: its `script:` lines in one bash session, after checking its install step. */
export const gitlabJob = (
  ci: Machine,
  pipeline: Record<string, any>,
  jobName: string,
  variables: Record<string, string>
) =>
  Effect.gen(function*() {
    const job = pipeline[jobName]
    const base = pipeline[job.extends] ?? {}
    if (!(base.before_script as ReadonlyArray<string>).includes(install)) {
      throw new Error(`expected the install step \`${install}\``)
    }
    return yield* ci.bash(["-eo", "pipefail", "-c", (job.script as ReadonlyArray<string>).join("\n")], {
      ...pipeline.variables,
      ...variables
    })
  })
