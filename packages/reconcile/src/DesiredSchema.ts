/**
 * The schema of a desired-state file (`orgs.yaml`): what `DesiredFiles.load` decodes every file with, and the
 * source of `config/orgs.schema.json`, which editors with the YAML language server use to complete and check
 * the file. Messages are written for the person editing the file; they never echo more than a short excerpt
 * of the value, since the value may be hostile.
 */
import { JSONSchema, type ParseResult, Schema } from "effect"
import type * as Desired from "./Desired.js"
import { printable, quote } from "./Printable.js"

/** Code42's limits on an org name. */
export const MinNameLength = 3
export const MaxNameLength = 220

/** A string quoted for a message, cut short: names may be 10,000 characters of hostile input. */
export const excerpt = (text: string): string => printable(quote(text.length > 40 ? `${text.slice(0, 40)}…` : text))

/** Characters that take no room on screen: zero-width spaces and joiners, direction marks, byte-order marks. */
const invisibleCharacter = /\p{Default_Ignorable_Code_Point}/gu

/** What a reader sees of a name: without invisible characters and the spaces around it (Code42 trims them). */
export const visible = (name: string): string => name.replace(invisibleCharacter, "").trim()

/** A short rendering of a decoded YAML value for a message. */
const show = (actual: unknown): string => {
  if (typeof actual === "string") return excerpt(actual)
  if (actual === null) return "null"
  if (Array.isArray(actual)) return "a list"
  if (actual instanceof Uint8Array) return "binary data"
  if (typeof actual === "object") return "a mapping"
  return String(actual)
}

/** YAML reads bare numbers and booleans as such: the usual fix is quoting them. */
const got = (actual: unknown): string =>
  typeof actual === "bigint" || typeof actual === "number" || typeof actual === "boolean"
    ? `got ${show(actual)}: write it in quotes`
    : `got ${show(actual)}`

/** C0, DEL and C1 controls: Code42 refuses them, and they hide in reviews. */
const controls = "\\u0000-\\u001f\\u007f-\\u009f"
const controlCharacter = new RegExp(`[${controls}]`)
const withoutControls = new RegExp(`^[^${controls}]*$`)

/** Half of a UTF-16 pair without the other half: a YAML escape (`"\uD800"`) can write one; no text encoding can. */
const unpairedSurrogate = /\p{Cs}/u

const codePoint = (text: string): string => {
  const match = controlCharacter.exec(text)
  return match === null ? "" : ` (U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`
}

const text = (issue: ParseResult.ParseIssue): string => (typeof issue.actual === "string" ? issue.actual : "")

/** A name as Code42 accepts it; `label` says which one in messages (`name`, `previously`). */
const orgName = (label: string, description: string) =>
  Schema.String.annotations({
    message: (issue) => issue.actual === null ? `${label} is empty` : `${label} must be a string (${got(issue.actual)})`
  }).pipe(
    // Code42 does not count the spaces around a name; invisible characters do not count here either.
    Schema.filter((name) => visible(name).length >= MinNameLength, {
      jsonSchema: { minLength: MinNameLength },
      message: (issue) => {
        const name = text(issue)
        if (name.trim() === "") return `${label} is empty`
        if (visible(name) === "") return `${label} is empty: it holds only invisible characters`
        const why = name.replace(invisibleCharacter, "") !== name
          ? " (invisible characters do not count)"
          : name === name.trim()
          ? ""
          : " (the spaces around it do not count)"
        return `${label} ${excerpt(name)} is too short: Code42 needs at least ${MinNameLength} characters${why}`
      }
    }),
    Schema.maxLength(MaxNameLength, {
      message: (issue) =>
        `${label} is too long (${text(issue).length} characters): Code42 allows at most ${MaxNameLength}`
    }),
    Schema.pattern(withoutControls, {
      message: (issue) => `${label} contains a control character${codePoint(text(issue))}`
    }),
    Schema.filter((name) => !unpairedSurrogate.test(name), {
      jsonSchema: {},
      message: (issue) => {
        const lone = unpairedSurrogate.exec(text(issue))?.[0] ?? ""
        return `${label} contains an unpaired surrogate (U+${lone.charCodeAt(0).toString(16).toUpperCase()}): ` +
          "not text Code42 can store"
      }
    })
  ).annotations({ title: label, description })

/**
 * An orgUid (mostly digits, and 19 of them do not fit a double, so YAML must read it as a string; older servers
 * also have words such as "ADMIN"), or on the gateway family, whose orgs have no orgUid, an orgGuid.
 */
const orgUid = (label: string, description: string) =>
  Schema.String.annotations({
    message: (issue) =>
      typeof issue.actual === "bigint"
        ? `${label} must be a quoted string: write ${label}: "${issue.actual}" ` +
          "(unquoted, YAML reads a number, and 19-digit numbers lose precision)"
        : `${label} must be an orgUid in quotes, e.g. "1007759454961904673" (${got(issue.actual)})`
  }).pipe(
    Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
      message: (issue) =>
        `${label} must be an orgUid such as "1007759454961904673" (letters, digits, ".", "_" and "-"), or on ` +
        `api gateway an orgGuid such as "7ed19049-3266-42ff-a3c9-b79a7f8e2b30" (got ${show(issue.actual)})`
    })
  ).annotations({ title: label, description })

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

// Unions carry `override: true`: without it the formatter reports one message per member.

export const Name = orgName(
  "name",
  `The org name (${MinNameLength} to ${MaxNameLength} characters, no control characters); unique among its siblings.`
)

export const ExtRef = Schema.NullOr(Schema.String).annotations({
  title: "extRef",
  description: "The external reference. Omitted: not managed; null: must be empty.",
  message: (issue) => ({ message: `extRef must be a string or null (${got(issue.actual)})`, override: true })
})

export const Notes = Schema.NullOr(Schema.String).annotations({
  title: "notes",
  description: "Free text. Omitted: not managed; null: must be empty.",
  message: (issue) => ({ message: `notes must be a string or null (${got(issue.actual)})`, override: true })
})

export const Status = Schema.Literal("active", "blocked", "deactivated").annotations({
  title: "status",
  description:
    "active: active and not blocked; blocked: active and blocked; deactivated: inactive. Omitted: the parent's " +
    "status (active at the top level).",
  message: (issue) => ({
    message: `status must be one of active, blocked, deactivated (got ${show(issue.actual)})`,
    override: true
  })
})

/**
 * Block and deactivation cascade to every descendant, so a status below a blocked or deactivated parent can be
 * no more active than the parent's.
 */
export const allowedBelow = (parent: Desired.Status, child: Desired.Status): boolean =>
  parent === "active" || child === "deactivated" || (parent === "blocked" && child === "blocked")

export const Uid = orgUid(
  "uid",
  "Pins the org to an existing Code42 org (adoption), by its orgUid (its orgGuid on api gateway), in quotes."
)

export const Previously = Schema.Array(
  orgName("previously", "An earlier name of the org.")
).annotations({
  title: "previously",
  description: "Earlier names of the org, so that a rename is an update and not a new org.",
  message: (issue) => `previously must be a list of names, e.g. [Vendors] (${got(issue.actual)})`
})

export const Protect = Schema.Boolean.annotations({
  title: "protect",
  description: "Never block or deactivate this org.",
  message: (issue) => `protect must be true or false (got ${show(issue.actual)})`
})

const childrenMessage = (issue: ParseResult.ParseIssue) => `children must be a list of orgs (${got(issue.actual)})`

const orgFields = {
  name: Name,
  extRef: optional(ExtRef),
  notes: optional(Notes),
  status: optional(Status),
  uid: optional(Uid),
  previously: optional(Previously),
  protect: optional(Protect)
}

/** An org entry as written in a file. */
export interface Org extends Schema.Struct.Type<typeof orgFields> {
  readonly children?: ReadonlyArray<Org>
}

export const Org: Schema.Schema<Org> = Schema.Struct({
  ...orgFields,
  children: optional(
    Schema.Array(Schema.suspend((): Schema.Schema<Org> => Org)).annotations({
      description: "The child orgs.",
      message: childrenMessage
    })
  )
}).annotations({ identifier: "Org", title: "org", description: "An organization." })

/**
 * One org entry without its children's contents: `load` decodes every entry on its own, so that one bad
 * entry does not hide the problems of the others.
 */
export const OrgEntry = Schema.Struct({
  ...orgFields,
  children: optional(Schema.Array(Schema.Unknown).annotations({ message: childrenMessage }))
}).annotations({
  // Used only when the entry itself is not a mapping; the problems of its keys keep their own messages.
  message: (issue) =>
    issue.actual === null
      ? "an org entry is empty: write - name: ..."
      : `an org must be a mapping such as - name: Sales (${got(issue.actual)})`
})

export const Root = orgUid(
  "root",
  "The orgUid of the managed root (its orgGuid on api gateway), in quotes; only orgs below it are touched. " +
    "Default: the tenant's top-level org."
)

export const Prune = Schema.Literal("report", "deactivate").annotations({
  title: "prune",
  description: "What to do with orgs under the root that no file lists: report them (default) or deactivate them.",
  message: (issue) => ({ message: `prune must be report or deactivate (got ${show(issue.actual)})`, override: true })
})

export const Parent = Schema.String.annotations({
  message: (issue) => `parent must be a path of org names, e.g. Engineering/Platform (${got(issue.actual)})`
}).pipe(
  Schema.minLength(1, { message: () => "parent is empty: omit it to add top-level orgs" })
).annotations({
  title: "parent",
  description:
    "Folder mode only: the path (e.g. Engineering/Platform) of an org defined in another file of the folder; " +
    "this file's orgs become its children. Without it, the file's orgs are top-level orgs."
})

const fileFields = {
  root: optional(Root),
  prune: optional(Prune),
  parent: optional(Parent)
}

const orgsMessage = (issue: ParseResult.ParseIssue) => `orgs must be a list of orgs (${got(issue.actual)})`

/** A whole desired-state file. */
export const File = Schema.Struct({
  ...fileFields,
  orgs: optional(Schema.Array(Org).annotations({ description: "The orgs.", message: orgsMessage }))
}).annotations({
  title: "orgsync desired state",
  description: "The Code42 organization tree that orgsync keeps in step (config/orgs.yaml)."
})

/** A file's settings, with its orgs left for entry-by-entry decoding. */
export const FileEntry = Schema.Struct({
  ...fileFields,
  orgs: optional(Schema.Array(Schema.Unknown).annotations({ message: orgsMessage }))
}).annotations({
  message: (issue) =>
    issue.actual === null
      ? "the file is empty: expected a mapping with orgs"
      : `the file must be a mapping with orgs (${got(issue.actual)})`
})

/** The keys a file may hold, and those an org may hold, for "unknown key" messages. */
export const fileKeys: ReadonlyArray<string> = Object.keys(FileEntry.fields)
export const orgKeys: ReadonlyArray<string> = Object.keys(OrgEntry.fields)

/** The JSON Schema of `File`, as committed in `config/orgs.schema.json`. */
export const jsonSchema = (): JSONSchema.JsonSchema7Root => JSONSchema.make(File)
