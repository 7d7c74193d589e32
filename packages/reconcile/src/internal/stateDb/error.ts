/**
 * The state database's one error, and how each failure becomes it: one sentence naming the database and what
 * could not be done, with the cause kept.
 */
import type { SqlError } from "@effect/sql"
import { Data, ParseResult } from "effect"

/** The state database cannot be opened, read or written; `message` says which database and why. */
export class StateDbError extends Data.TaggedError("StateDbError")<{
  readonly message: string
  readonly cause?: unknown
}> {}

export const failure = (message: string, cause?: unknown): StateDbError => new StateDbError({ message, cause })

/** SQLite's own words for what went wrong ("file is not a database", "database is locked", ...). */
export const sqliteReason = (error: SqlError.SqlError): string =>
  error.cause instanceof Error ? error.cause.message : error.message

/** A write that failed, e.g. `cannot save the snapshot in /x/state.db: disk I/O error`. */
export const writeFailure = (path: string, what: string) => (cause: SqlError.SqlError): StateDbError =>
  failure(`cannot ${what} in ${path}: ${sqliteReason(cause)}`, cause)

const advice = "restore it from a copy; moving it aside to start afresh would lose what it holds beside the " +
  "history: a daemon's suspension, the identities that tie the desired orgs to Code42's, and the approvals and " +
  "rejections of held changes"

/**
 * The first thing wrong with a value that does not decode: where in it, and in a few words what it holds there;
 * a mismatch with a large shape names the value found, never the shape expected.
 */
const firstIssue = (error: ParseResult.ParseError) => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return { path: [] as ReadonlyArray<PropertyKey>, text: error.message }
  const mismatch = /^Expected (.*), actual (.*)$/s.exec(issue.message)
  const text = mismatch !== null && mismatch[1]!.length > 30 ? `unexpected ${mismatch[2]}` : issue.message
  return { path: issue.path, text }
}

/**
 * A read that failed: SQLite's reason, or the first thing wrong with a row that does not decode (the column
 * and what it holds), never a value typed by hand.
 */
export const readFailure = (path: string, what: string) =>
(error: SqlError.SqlError | ParseResult.ParseError): StateDbError =>
  error._tag === "SqlError"
    ? failure(`cannot read ${what} from the state database ${path}: ${sqliteReason(error)}`, error)
    : failure(`${unreadable(path, what, error)}: ${advice}`, error)

/** `the state database PATH holds WHAT it cannot read (column: what it holds there)`. */
export const unreadable = (path: string, what: string, error: ParseResult.ParseError): string => {
  const issue = firstIssue(error)
  const column = issue.path.filter((key) => typeof key === "string").join(".")
  return `the state database ${path} holds ${what} it cannot read (${column === "" ? "" : `${column}: `}${issue.text})`
}

/**
 * A setting kept as JSON that does not decode: the key and where in its value, e.g. `(refusals[0]: unexpected
 * 1)`, then `then` (what it means, by default how to mend it).
 */
export const settingFailure = (path: string, key: string, then: string = advice) =>
(error: ParseResult.ParseError): StateDbError => {
  const issue = firstIssue(error)
  const where = issue.path.map((step) => typeof step === "number" ? `[${step}]` : `.${String(step)}`).join("")
  return failure(`the state database ${path} holds a setting it cannot read (${key}${where}: ${issue.text}): ${then}`, error)
}
