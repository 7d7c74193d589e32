/**
 * A git remote on the local disk, as a team's repository: a bare repository in a temporary folder, and a work
 * clone from which commits are pushed to it. Removed when the scope closes.
 */
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export interface GitRemote {
  /** The bare repository, as `git.repo`. */
  readonly bare: string
  /** Writes (or, for `null`, removes) the files, commits them as `subject` and pushes; the commit's sha. */
  readonly push: (files: Readonly<Record<string, string | null>>, subject: string, branch?: string) => string
  /** The sha of the last commit pushed. */
  readonly head: () => string
  /** Commits a symbolic link `name` to `target` and pushes; the commit's sha. */
  readonly pushLink: (name: string, target: string, subject: string) => string
  /** Replaces the last commit with one of `files` (amended) and force-pushes it, as a rewritten history. */
  readonly forcePush: (files: Readonly<Record<string, string>>, subject: string) => string
}

const author = {
  GIT_AUTHOR_NAME: "Ada Admin",
  GIT_AUTHOR_EMAIL: "ada@example.com",
  GIT_COMMITTER_NAME: "Ada Admin",
  GIT_COMMITTER_EMAIL: "ada@example.com"
}

export const authorLine = `${author.GIT_AUTHOR_NAME} <${author.GIT_AUTHOR_EMAIL}>`

const run = (cwd: string, ...args: ReadonlyArray<string>): string =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...author, GIT_CONFIG_NOSYSTEM: "1", HOME: cwd },
    stdio: ["ignore", "pipe", "pipe"]
  })

/** A bare repository with a `main` branch holding `files`. */
export const gitRemote = (files: Readonly<Record<string, string | null>>, subject = "first orgs") =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orgsync-git-"))
      const bare = path.join(dir, "orgs.git")
      const work = path.join(dir, "work")
      run(dir, "init", "--quiet", "--bare", "--initial-branch=main", bare)
      run(dir, "init", "--quiet", "--initial-branch=main", work)
      run(work, "remote", "add", "origin", bare)
      const push: GitRemote["push"] = (changes, message, branch = "main") => {
        for (const [name, text] of Object.entries(changes)) {
          const file = path.join(work, name)
          if (text === null) {
            fs.rmSync(file, { force: true })
          } else {
            fs.mkdirSync(path.dirname(file), { recursive: true })
            fs.writeFileSync(file, text)
          }
        }
        run(work, "add", "--all")
        run(work, "commit", "--quiet", "--allow-empty", "-m", message)
        run(work, "push", "--quiet", "origin", `HEAD:refs/heads/${branch}`)
        return run(work, "rev-parse", "HEAD").trim()
      }
      push(files, subject)
      const head = () => run(work, "rev-parse", "HEAD").trim()
      const pushLink: GitRemote["pushLink"] = (name, target, message) => {
        const file = path.join(work, name)
        fs.mkdirSync(path.dirname(file), { recursive: true })
        fs.rmSync(file, { force: true })
        fs.symlinkSync(target, file)
        return push({}, message)
      }
      const forcePush: GitRemote["forcePush"] = (changes, message) => {
        for (const [name, text] of Object.entries(changes)) fs.writeFileSync(path.join(work, name), text)
        run(work, "add", "--all")
        run(work, "commit", "--quiet", "--amend", "-m", message)
        run(work, "push", "--quiet", "--force", "origin", "HEAD:refs/heads/main")
        return head()
      }
      return { dir, remote: { bare, push, head, pushLink, forcePush } satisfies GitRemote }
    }),
    ({ dir }) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  ).pipe(Effect.map(({ remote }) => remote))
