/**
 * The desired files from a git repository (`git.repo`, `git.branch`, `git.path`). The branch is fetched into a
 * bare repository of orgsync's own, beside the state database, and read at the fetched commit only: each new
 * commit's files are written into a fresh folder that is renamed into place once complete, so a pass never
 * reads a half-pulled tree. The `git` command does the work, so credentials come through git's own means (an
 * SSH agent, a credential helper, `~/.netrc`); a password written into the URL never appears in a message.
 */
import { Command, type CommandExecutor, FileSystem } from "@effect/platform"
import { Chunk, Clock, Context, Data, Duration, Effect, Layer, Option, Ref, Stream } from "effect"
import * as path from "node:path"

export interface GitSettings {
  /** A URL (`https://`, `ssh://`, `git@host:path`) or a path to a repository. */
  readonly repo: string
  readonly branch: string
  /** The desired file or folder inside the repository; `""` or `.` is its top folder. */
  readonly path: string
}

export interface Commit {
  /** The full sha. */
  readonly sha: string
  /** `Name <email>` */
  readonly author: string
  /** The first line of the message. */
  readonly subject: string
}

/** The files of one commit, written out and ready to be read. */
export interface Checkout {
  readonly commit: Commit
  /** The desired file or folder, as written out. */
  readonly desired: string
  /** When the fetch that found the commit finished. */
  readonly fetchedAt: Date
  /** The name a written-out file has in the repository: `teams/eng.yaml` for `<tree>/teams/eng.yaml`. */
  readonly inRepo: (file: string) => string
}

export class GitError extends Data.TaggedError("GitError")<{
  /** `NotInstalled` and `Failed` need a person; `Unreachable` may pass; the others need a change of settings. */
  readonly reason: "NotInstalled" | "Unreachable" | "NoBranch" | "NoPath" | "Failed"
  readonly message: string
  /** The head fetched, when its files are refused (the desired path missing, or a symbolic link). */
  readonly head?: Commit | undefined
}> {}

/** The longest a fetch may take before it counts as unreachable. */
export const fetchTimeout: Duration.Duration = Duration.minutes(2)

/** Hides the password of a URL (`https://user:secret@host` → `https://user:***@host`) wherever it is in `text`. */
export const redact = (text: string): string =>
  text.replace(/([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*):[^/@\s]*@/gi, "$1:***@")

/** A path to a repository is made absolute, since git runs in the bare repository; a URL stays as it is. */
const remote = (repo: string): string =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^/\\]+:/.test(repo) ? repo : path.resolve(repo)

/** `teams/`, `./teams` and `teams` alike; `""` for the top folder. */
const normalise = (inRepo: string): string => path.posix.normalize(`/${inRepo}`).slice(1).replace(/\/$/, "")

/**
 * Fails unless `git.path` names something inside the repository: relative to its top, never climbing out
 * with `..` (which would otherwise be quietly read as another path of the repository).
 */
export const checkPath = (settings: GitSettings): Effect.Effect<void, GitError> =>
  path.posix.isAbsolute(settings.path) || path.win32.isAbsolute(settings.path) ||
    settings.path.split(/[\\/]/).includes("..")
    ? Effect.fail(
      new GitError({
        reason: "NoPath",
        message: `git.path ${settings.path}: a file or folder inside the repository, relative to its top, ` +
          "is expected (no .., not absolute)"
      })
    )
    : Effect.void

interface Output {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

const decode = (chunks: Chunk.Chunk<Uint8Array>): string => Buffer.concat(Chunk.toArray(chunks)).toString("utf8")

/**
 * Runs `git ...args`, never asking on a terminal (a missing credential fails instead of waiting for ever).
 * The error of a `git` that cannot start names no argument, since a URL with its password is one of them.
 */
const git = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {}
): Effect.Effect<Output, GitError, CommandExecutor.CommandExecutor> =>
  Effect.scoped(Effect.gen(function*() {
    const process = yield* Command.make("git", ...args).pipe(
      Command.env({ GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...env }),
      Command.start
    )
    const [stdout, stderr, exitCode] = yield* Effect.all([
      Stream.runCollect(process.stdout),
      Stream.runCollect(process.stderr),
      process.exitCode
    ], { concurrency: "unbounded" })
    return { exitCode, stdout: decode(stdout), stderr: decode(stderr) }
  })).pipe(
    Effect.catchTag("SystemError", (error) =>
      Effect.fail(
        error.reason === "NotFound" && error.method === "spawn"
          ? new GitError({ reason: "NotInstalled", message: "git is not installed or not on PATH" })
          : new GitError({ reason: "Failed", message: `cannot run git: ${error.reason}` })
      )),
    Effect.catchTag("BadArgument", () => Effect.fail(new GitError({ reason: "Failed", message: "cannot run git" })))
  )

/** The last line git wrote on stderr, without its `fatal:` prefix and any password. */
const lastWords = (output: Output): string => {
  const lines = output.stderr.split("\n").map((line) => line.trim()).filter((line) => line !== "")
  const meaningful = lines.filter((line) => /^(fatal|error):/.test(line))
  const line = (meaningful[0] ?? lines.at(-1) ?? `exit code ${output.exitCode}`).replace(/^(fatal|error):\s*/, "")
  return redact(line)
}

/** `git ...args`, failing with `failed` when git does. */
const gitOk = (args: ReadonlyArray<string>, failed: (output: Output) => GitError, env?: Record<string, string>) =>
  Effect.filterOrElse(git(args, env), (output) => output.exitCode === 0, (output) => Effect.fail(failed(output)))

const failed = (what: string) => (output: Output) =>
  new GitError({ reason: "Failed", message: `${what}: ${lastWords(output)}` })

export class GitSource extends Context.Tag("@c42/daemon/GitSource")<GitSource, {
  /**
   * Fetches the branch and writes out the desired files of its head commit, unless they are those of the last
   * checkout; fails without touching the last checkout.
   */
  readonly sync: (settings: GitSettings) => Effect.Effect<Checkout, GitError>
  /**
   * Writes out the desired files of `sha`, a commit fetched before and still in orgsync's repository (the last
   * good one, after a restart), without fetching.
   */
  readonly at: (settings: GitSettings, sha: string) => Effect.Effect<Checkout, GitError>
}>() {}

/**
 * The source over `folder` (created, mode 0700), which holds the bare repository (`mirror`) and the written-out
 * files of the commit in force (`trees/<sha>`). A relative `folder` is taken from the current folder once, as
 * git is given it as a work tree and an index file and reads those from another folder than ours.
 */
export const make = (given: string) =>
  Effect.gen(function*() {
    const folder = path.resolve(given)
    const fs = yield* FileSystem.FileSystem
    const context = yield* Effect.context<CommandExecutor.CommandExecutor>()
    const mirror = path.join(folder, "mirror")
    const trees = path.join(folder, "trees")
    const last = yield* Ref.make(Option.none<{ readonly path: string; readonly checkout: Checkout }>())
    const io = (what: string) => () => new GitError({ reason: "Failed", message: `${folder}: cannot ${what}` })
    // At once, so that a daemon without git says so as it starts rather than at every pass.
    yield* gitOk(["--version"], failed("cannot run git")).pipe(Effect.provide(context))

    const prepare = Effect.gen(function*() {
      yield* fs.makeDirectory(trees, { recursive: true, mode: 0o700 }).pipe(Effect.mapError(io("create the folder")))
      yield* fs.chmod(folder, 0o700).pipe(Effect.mapError(io("restrict the folder to its owner")))
      if (!(yield* fs.exists(path.join(mirror, "HEAD")).pipe(Effect.orElseSucceed(() => false)))) {
        yield* gitOk(["init", "--quiet", "--bare", mirror], failed(`cannot create a repository in ${mirror}`))
      }
    })

    /** The commit `ref` names in the repository. */
    const describe = (ref: string) =>
      gitOk(["-C", mirror, "log", "-1", "--format=%H%x00%an <%ae>%x00%s", ref, "--"], failed(`cannot read ${ref}`)).pipe(
        Effect.map((output): Commit => {
          const [sha = "", author = "", subject = ""] = output.stdout.replace(/\n$/, "").split("\u0000")
          return { sha, author, subject }
        })
      )

    const fetch = (settings: GitSettings) => {
      const where = `${redact(settings.repo)} (branch ${settings.branch})`
      const ref = `refs/remotes/origin/${settings.branch}`
      return git([
        "-C",
        mirror,
        "fetch",
        "--quiet",
        "--no-tags",
        "--no-write-fetch-head",
        "--",
        remote(settings.repo),
        `+refs/heads/${settings.branch}:${ref}`
      ]).pipe(
        Effect.timeoutFail({
          duration: fetchTimeout,
          onTimeout: () =>
            new GitError({ reason: "Unreachable", message: `cannot fetch ${where}: no answer within 2 minutes` })
        }),
        Effect.filterOrFail((output) => output.exitCode === 0, (output) =>
          /couldn't find remote ref/.test(output.stderr)
            ? new GitError({ reason: "NoBranch", message: `${redact(settings.repo)} has no branch ${settings.branch}` })
            : new GitError({ reason: "Unreachable", message: `cannot fetch ${where}: ${lastWords(output)}` })),
        Effect.zipRight(describe(ref))
      )
    }

    /** Writes the desired file or folder of `commit` into a new folder, renamed to `trees/<sha>` once complete. */
    const checkout = (settings: GitSettings, commit: Commit, fetchedAt: Date) =>
      Effect.gen(function*() {
        const inRepo = normalise(settings.path)
        const short = commit.sha.slice(0, 7)
        const type = yield* git(["-C", mirror, "cat-file", "-t", `${commit.sha}:${inRepo}`])
        const kind = type.stdout.trim()
        if (type.exitCode !== 0 || (kind !== "tree" && kind !== "blob")) {
          return yield* new GitError({
            reason: "NoPath",
            message: `${redact(settings.repo)} has no file or folder ${inRepo || "."} at ${short} (branch ${settings.branch})`,
            head: commit
          })
        }
        // A symbolic link would be written out as one, and read through to a file of the server's.
        const links = yield* gitOk(
          ["-C", mirror, "ls-tree", "-r", "-z", "--full-tree", commit.sha, "--", inRepo || "."],
          failed(`cannot list the files of ${short}`)
        )
        const link = links.stdout.split("\u0000").find((entry) => entry.startsWith("120000 "))
        if (link !== undefined) {
          return yield* new GitError({
            reason: "NoPath",
            message: `${link.slice(link.indexOf("\t") + 1)} is a symbolic link at ${short} (branch ${settings.branch}): ` +
              "orgsync reads only the files the repository holds, never through a link",
            head: commit
          })
        }
        // A folder is written out whole; a file with the folder it is in as the index, but only itself.
        const folderInRepo = kind === "tree" ? inRepo : normalise(path.posix.dirname(inRepo))
        const tree = `${commit.sha}:${folderInRepo}`
        const name = path.posix.basename(inRepo)
        const fresh = yield* fs.makeTempDirectory({ directory: trees, prefix: ".new-" }).pipe(
          Effect.mapError(io("create a folder"))
        )
        const index = { GIT_INDEX_FILE: `${fresh}.index` }
        const write = ["--git-dir", mirror, "--work-tree", fresh]
        yield* gitOk([...write, "read-tree", tree], failed(`cannot read the files of ${short}`), index)
        yield* gitOk(
          [...write, "checkout-index", ...(kind === "tree" ? ["--all"] : ["--", name])],
          failed(`cannot write out the files of ${short}`),
          index
        )
        const final = path.join(trees, commit.sha)
        yield* fs.remove(`${fresh}.index`, { force: true }).pipe(Effect.mapError(io("remove an index")))
        yield* fs.remove(final, { recursive: true, force: true }).pipe(Effect.mapError(io("remove a folder")))
        yield* fs.rename(fresh, final).pipe(Effect.mapError(io("rename a folder")))
        // Only the newest files are kept: the state in force is held in memory once read.
        for (const entry of yield* fs.readDirectory(trees).pipe(Effect.mapError(io("list a folder")))) {
          if (entry !== commit.sha) {
            yield* fs.remove(path.join(trees, entry), { recursive: true, force: true }).pipe(
              Effect.mapError(io("remove a folder"))
            )
          }
        }
        const desired = kind === "tree" ? final : path.join(final, name)
        const label = (file: string) => {
          const relative = path.relative(final, file).split(path.sep).join("/")
          return kind === "blob" ? inRepo : path.posix.join(inRepo, relative)
        }
        return {
          commit,
          desired,
          fetchedAt,
          inRepo: (file: string) => file === desired || file.startsWith(`${final}${path.sep}`) ? label(file) : file
        } satisfies Checkout
      })

    const sync = (settings: GitSettings) =>
      Effect.gen(function*() {
        yield* checkPath(settings)
        yield* prepare
        const commit = yield* fetch(settings)
        const fetchedAt = new Date(yield* Clock.currentTimeMillis)
        const previous = yield* Ref.get(last)
        if (
          Option.isSome(previous) && previous.value.path === settings.path &&
          previous.value.checkout.commit.sha === commit.sha
        ) {
          return { ...previous.value.checkout, fetchedAt }
        }
        const next = yield* checkout(settings, commit, fetchedAt)
        yield* Ref.set(last, Option.some({ path: settings.path, checkout: next }))
        return next
      }).pipe(
        Effect.provide(context),
        Effect.withSpan("GitSource.sync", { attributes: { repo: redact(settings.repo), branch: settings.branch } })
      )

    const at = (settings: GitSettings, sha: string) =>
      Effect.gen(function*() {
        yield* checkPath(settings)
        yield* prepare
        const commit = yield* describe(sha)
        const next = yield* checkout(settings, commit, new Date(yield* Clock.currentTimeMillis))
        yield* Ref.set(last, Option.some({ path: settings.path, checkout: next }))
        return next
      }).pipe(Effect.provide(context), Effect.withSpan("GitSource.at", { attributes: { sha } }))

    return GitSource.of({ sync, at })
  })

export const layer = (folder: string): Layer.Layer<
  GitSource,
  GitError,
  FileSystem.FileSystem | CommandExecutor.CommandExecutor
> => Layer.effect(GitSource, make(folder))
