/**
 * The git commit the desired files are at, so that a plan names the state it was made from. Asked of the
 * `git` command; outside a work tree, before the first commit, or without git there is simply no commit.
 */
import { Command, FileSystem } from "@effect/platform"
import { Effect, Option } from "effect"
import * as path from "node:path"

export interface DesiredCommit {
  /** The abbreviated sha of HEAD. */
  readonly sha: string
  /** The desired files differ from HEAD (edited, added or removed, and not committed). */
  readonly modified: boolean
}

const git = (cwd: string, ...args: ReadonlyArray<string>) =>
  Command.make("git", ...args).pipe(Command.workingDirectory(cwd), Command.string)

/** The commit of the work tree holding `desired` (a file or a folder), if it is in one. */
export const read = (desired: string) =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const absolute = path.resolve(desired)
    const info = yield* fs.stat(absolute)
    const cwd = info.type === "Directory" ? absolute : path.dirname(absolute)
    const sha = (yield* git(cwd, "rev-parse", "--short", "HEAD")).trim()
    if (!/^[0-9a-f]{4,64}$/.test(sha)) return Option.none<DesiredCommit>()
    const changed = yield* git(cwd, "status", "--porcelain", "--untracked-files=all", "--", absolute)
    return Option.some<DesiredCommit>({ sha, modified: changed.trim() !== "" })
  }).pipe(Effect.orElseSucceed(() => Option.none<DesiredCommit>()))
