/**
 * Loads the desired state from a file, or from a folder of files that anchor their subtrees with `parent:`.
 * Validation is offline and complete: every problem of every file is reported at once, as
 * `file:line:column: message`, before anything is planned. Unreadable, oversized or binary files are problems
 * like any other, never a crash.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"
import { join } from "node:path"
import { type DesiredState, DesiredInvalid, type ValidationIssue } from "./Desired.js"
import * as DesiredEntry from "./internal/desiredEntry.js"
import type { FileEntries } from "./internal/desiredEntry.js"
import { assemble, type Mode } from "./internal/desiredTree.js"

/** The largest file read; an org tree of 100,000 orgs takes a few MiB. */
export const MaxFileBytes = 16 * 1024 * 1024

const yamlFile = /\.(yaml|yml)$/

const describe = (error: PlatformError): string =>
  error._tag === "SystemError" && error.reason === "NotFound"
    ? "not found"
    : error._tag === "SystemError" && error.reason === "PermissionDenied"
    ? "permission denied"
    : error.message

/** The text of a file, or why it is not YAML text. */
const textOf = (bytes: Uint8Array): { readonly text: string } | { readonly problem: string } => {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { problem: "the file is UTF-16 text: save it as UTF-8" }
  }
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    return { problem: "the file is not UTF-8 text" }
  }
  return text.includes("\u0000") ? { problem: "the file holds NUL bytes: binary data, not YAML text" } : { text }
}

const read = (fs: FileSystem.FileSystem, file: string) =>
  Effect.gen(function*() {
    const info = yield* fs.stat(file)
    if (info.type !== "File") return DesiredEntry.unreadable(file, "not a regular file")
    if (info.size > BigInt(MaxFileBytes)) {
      return DesiredEntry.unreadable(file, `the file is too big (${info.size} bytes; at most ${MaxFileBytes})`)
    }
    const result = textOf(yield* fs.readFile(file))
    return "text" in result ? DesiredEntry.decode(file, result.text) : DesiredEntry.unreadable(file, result.problem)
  }).pipe(Effect.catchAll((error) => Effect.succeed(DesiredEntry.unreadable(file, `cannot read: ${describe(error)}`))))

/**
 * The files to read under a folder: every YAML file, dot-files and dot-folders skipped, sorted by path. A
 * symbolic link to a folder is followed once per real folder: a link back to a folder that holds it is a loop,
 * and a second path to a folder already read would read its orgs twice; both are reported at the link and not
 * walked, so that no arrangement of links makes the walk loop or explode.
 */
const walk = (fs: FileSystem.FileSystem, root: string) =>
  Effect.gen(function*() {
    const files: Array<string> = []
    const problems: Array<FileEntries> = []
    const read = new Map<string, string>()
    const visit = (dir: string, relative: string, above: ReadonlyArray<string>): Effect.Effect<void, PlatformError> =>
      Effect.gen(function*() {
        const real = yield* fs.realPath(dir)
        if (above.includes(real)) {
          return problems.push(DesiredEntry.unreadable(dir, `a symbolic link to ${real}, a folder that holds it: a loop, not followed`))
        }
        const first = read.get(real)
        if (first !== undefined) {
          return problems.push(DesiredEntry.unreadable(dir, `a second path to the folder ${first}, already read: not followed`))
        }
        read.set(real, dir)
        for (const name of (yield* fs.readDirectory(dir)).sort()) {
          if (name.startsWith(".")) continue
          const path = join(dir, name)
          const type = yield* fs.stat(path).pipe(Effect.map((info) => info.type), Effect.orElseSucceed(() => undefined))
          if (type === "Directory") yield* visit(path, join(relative, name), [...above, real])
          else if (yamlFile.test(name)) files.push(join(relative, name))
        }
      })
    yield* visit(root, "", [])
    return {
      files: files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((name) => join(root, name)),
      problems
    }
  })

/** The files to read: the one given, or those of the folder. */
const list = (fs: FileSystem.FileSystem, path: string) =>
  Effect.gen(function*() {
    const info = yield* fs.stat(path)
    if (info.type !== "Directory") return { mode: "file" as Mode, files: [path], problems: [] }
    return { mode: "folder" as Mode, ...(yield* walk(fs, path)) }
  })

/** Issues in reading order: by file as listed, then by position. */
const byPosition = (files: ReadonlyArray<string>) => {
  const order = new Map(files.map((file, i) => [file, i]))
  return (a: ValidationIssue, b: ValidationIssue): number =>
    order.get(a.file)! - order.get(b.file)! || a.line - b.line || a.column - b.column
}

/** A problem with the path itself, reported at its start. */
const invalidPath = (path: string, message: string) =>
  new DesiredInvalid({ issues: DesiredEntry.unreadable(path, message).issues })

/** Reads and validates the desired state at `path` (a file or a folder). */
export const load = (path: string): Effect.Effect<DesiredState, DesiredInvalid, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const listed = yield* list(fs, path).pipe(Effect.either)
    if (listed._tag === "Left") return yield* invalidPath(path, `cannot read: ${describe(listed.left)}`)
    const { files, mode, problems } = listed.right
    if (files.length === 0 && problems.length === 0) {
      return yield* invalidPath(path, "no *.yaml or *.yml file in this folder")
    }
    const entries = yield* Effect.forEach(files, (file) => read(fs, file))
    const { issues, state } = assemble(mode, [...entries, ...problems])
    const order = [...files, ...problems.map((problem) => problem.file)]
    if (state === undefined) return yield* new DesiredInvalid({ issues: [...issues].sort(byPosition(order)) })
    return state
  }).pipe(Effect.withSpan("DesiredFiles.load", { attributes: { path } }))
