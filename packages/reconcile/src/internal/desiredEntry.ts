/**
 * One desired-state file decoded on its own: its settings and its org entries, each with the positions that
 * messages point at. Every entry is decoded apart, so that one bad entry does not hide the problems of the
 * others; a bad field is reported and then treated as absent. The checks that span entries (siblings,
 * anchors, inheritance, uids) belong to `desiredTree`.
 */
import { Either, ParseResult, Predicate, Schema } from "effect"
import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type Scalar,
  visit,
  type YAMLMap
} from "yaml"
import type { Prune, SourceLocation, Status, ValidationIssue } from "../Desired.js"
import * as DesiredSchema from "../DesiredSchema.js"
import * as DesiredYaml from "../DesiredYaml.js"
import * as EntriesFast from "./entriesFast.js"
import { MaxDepth, MaxOrgs, valid } from "./entryFields.js"

export { MaxDepth, MaxOrgs } from "./entryFields.js"

/** yaml's guard against alias bombs: an anchor may expand to at most this many copies. */
const MaxAliasCount = 100

export interface Located<A> {
  readonly value: A
  readonly at: SourceLocation
}

export interface Entry {
  readonly name: Located<string>
  readonly extRef: string | null | undefined
  readonly notes: string | null | undefined
  /** As written; `undefined` inherits the parent's. */
  readonly status: Located<Status> | undefined
  readonly uid: Located<string> | undefined
  readonly previously: ReadonlyArray<Located<string>>
  readonly protect: boolean
  readonly children: ReadonlyArray<Entry>
  readonly location: SourceLocation
}

export interface FileEntries {
  readonly file: string
  /** `false` when the orgs the file defines are unknown: it could not be read or parsed, or has no org list. */
  readonly orgsKnown: boolean
  readonly root: Located<string> | undefined
  readonly prune: Located<Prune> | undefined
  readonly parent: Located<string> | undefined
  readonly orgs: ReadonlyArray<Entry>
  readonly issues: ReadonlyArray<ValidationIssue>
}

export const depthMessage = `orgs nested deeper than ${MaxDepth} levels`

const broken = (file: string, issues: ReadonlyArray<ValidationIssue>): FileEntries => ({
  file,
  orgsKnown: false,
  root: undefined,
  prune: undefined,
  parent: undefined,
  orgs: [],
  issues
})

/** A file whose text could not be had; its problem is reported at its start. */
export const unreadable = (file: string, message: string): FileEntries =>
  broken(file, [{ file, line: 1, column: 1, message }])

const decodeOptions = { errors: "all", onExcessProperty: "error" } as const
const decodeFile = Schema.decodeUnknownEither(DesiredSchema.FileEntry, decodeOptions)
const decodeOrg = Schema.decodeUnknownEither(DesiredSchema.OrgEntry, decodeOptions)

/** Decodes one file's text. */
export const decode = (file: string, text: string): FileEntries => {
  const fast = EntriesFast.decode(file, text)
  // A file past the limit on tokens is past it on every path: only the full one reports it.
  return fast === EntriesFast.TooManyTokens ? decodeDocument(file, text, "full") : fast ?? decodeDocument(file, text)
}

/** Decodes one file's text through its YAML document, which every problem is reported from. */
export const decodeDocument = (file: string, text: string, path?: "full"): FileEntries => {
  const parsed = DesiredYaml.parse(file, text, path)
  const document = parsed.document
  if (document === undefined) return broken(file, parsed.issues)

  const { badKeys, targets } = survey(document)
  const shapeIssues = [
    ...badKeys.map((key) => ({ ...parsed.locate(key.range![0]), message: "a key must be a plain word such as name" })),
    ...[...targets].filter(([, target]) => target === undefined).map(([alias]) => ({
      ...parsed.locate(alias.range![0]),
      message: `unknown alias *${alias.source}: an anchor &${alias.source} must come before it`
    }))
  ]
  if (shapeIssues.length > 0) return broken(file, shapeIssues.sort((a, b) => a.line - b.line || a.column - b.column))
  let value: unknown
  try {
    value = document.toJS({ maxAliasCount: MaxAliasCount })
  } catch (error) {
    // yaml throws on an alias bomb; aliases of aliases can also nest past the stack.
    const first = targets.keys().next().value
    return broken(file, [{
      ...(first?.range ? parsed.locate(first.range[0]) : parsed.locate(0)),
      message: error instanceof RangeError
        ? "YAML aliases nest too deep"
        : `YAML aliases expand too far (at most ${MaxAliasCount} copies of an anchor)`
    }])
  }

  const issues: Array<ValidationIssue> = []
  const locate = (node: Node | null | undefined, fallback: SourceLocation): SourceLocation =>
    node?.range ? parsed.locate(node.range[0]) : fallback
  const deref = (node: unknown): unknown => (isAlias(node) ? targets.get(node) : node)
  let orgCount = 0

  /** The pairs of a mapping by key (the last one wins, as in the decoded value); duplicates are reported. */
  const pairsOf = (map: YAMLMap): Map<string, Pair> => {
    const pairs = new Map<string, Pair>()
    for (const pair of map.items) {
      // `survey` has made sure that every key is a scalar.
      const key = pair.key as Scalar
      const name = String(key.value)
      const first = pairs.get(name)
      if (first !== undefined) {
        const at = locate(key, locate(map, parsed.locate(0)))
        const line = locate(first.key as Node, at).line
        issues.push({ ...at, message: `duplicate key ${DesiredSchema.excerpt(name)}: already set at line ${line}` })
      }
      pairs.set(name, pair)
    }
    return pairs
  }

  /** Reports a decoding failure at the key or value it is about. */
  const report = (
    error: ParseResult.ParseError,
    at: SourceLocation,
    pairs: Map<string, Pair>,
    keys: ReadonlyArray<string>
  ): void => {
    for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
      const [key, index] = issue.path
      const pair = typeof key === "string" ? pairs.get(key) : undefined
      switch (issue._tag) {
        case "Unexpected":
          issues.push({
            ...locate(pair?.key as Node | undefined, at),
            message: `unknown key ${DesiredSchema.excerpt(String(key))} (allowed: ${keys.join(", ")})`
          })
          break
        case "Missing": {
          const why = key === "name" ? ": every org needs a name" : ""
          issues.push({ ...at, message: `missing ${JSON.stringify(key)}${why}` })
          break
        }
        default: {
          const value = pair?.value as Node | undefined
          const list = deref(value)
          const item = typeof index === "number" && isSeq(list) ? (list.items[index] as Node | undefined) : undefined
          issues.push({ ...locate(item ?? value, at), message: issue.message })
        }
      }
    }
  }

  /** A decoded field with the position of its value. */
  const located = <A>(pairs: Map<string, Pair>, key: string, value: A | undefined, fallback: SourceLocation) =>
    value === undefined ? undefined : { value, at: locate(pairs.get(key)?.value as Node, fallback) }

  /** The item nodes of a list-valued key, beside the decoded items. */
  const itemsOf = (pairs: Map<string, Pair>, key: string, values: unknown): ReadonlyArray<[unknown, unknown]> => {
    const list = deref(pairs.get(key)?.value)
    return Array.isArray(values) && isSeq(list) ? values.map((value, i) => [list.items[i], value]) : []
  }

  const entries = (
    pairs: Map<string, Pair>,
    key: string,
    values: unknown,
    ancestors: ReadonlyArray<unknown>,
    depth: number
  ): ReadonlyArray<Entry> =>
    itemsOf(pairs, key, values).flatMap(([node, value]) => entry(node, value, ancestors, depth) ?? [])

  const entry = (
    node: unknown,
    value: unknown,
    ancestors: ReadonlyArray<unknown>,
    depth: number
  ): Entry | undefined => {
    const map = deref(node)
    const at = locate(node as Node, parsed.locate(0))
    if (ancestors.includes(map)) {
      issues.push({ ...at, message: "an alias may not repeat an org inside itself" })
      return undefined
    }
    if (depth > MaxDepth) {
      issues.push({ ...at, message: depthMessage })
      return undefined
    }
    if (++orgCount === MaxOrgs + 1) issues.push({ ...at, message: `more than ${MaxOrgs} orgs in one file` })
    if (orgCount > MaxOrgs) return undefined

    const decoded = decodeOrg(value)
    if (!isMap(map) || !Predicate.isRecord(value)) {
      if (Either.isLeft(decoded)) report(decoded.left, at, new Map(), DesiredSchema.orgKeys)
      return undefined
    }
    const pairs = pairsOf(map)
    const location = locate(map, at)
    if (Either.isLeft(decoded)) report(decoded.left, location, pairs, DesiredSchema.orgKeys)
    // A valid entry is used as decoded; an invalid one keeps the fields that are valid on their own.
    const fields = Either.isRight(decoded) ? decoded.right : {
      name: valid.name(value.name),
      extRef: valid.extRef(value.extRef),
      notes: valid.notes(value.notes),
      status: valid.status(value.status),
      uid: valid.uid(value.uid),
      previously: valid.previously(value.previously),
      protect: valid.protect(value.protect),
      children: value.children
    }
    const children = fields.children === undefined
      ? []
      : entries(pairs, "children", fields.children, [...ancestors, map], depth + 1)
    const name = located(pairs, "name", fields.name, at)
    if (name === undefined) return undefined
    return {
      name,
      extRef: fields.extRef,
      notes: fields.notes,
      status: located(pairs, "status", fields.status, at),
      uid: located(pairs, "uid", fields.uid, at),
      previously: fields.previously === undefined
        ? []
        : itemsOf(pairs, "previously", fields.previously).map(([item, value]) => ({
          value: value as string,
          at: locate(item as Node, at)
        })),
      protect: fields.protect ?? false,
      children,
      location
    }
  }

  const contents = deref(document.contents) as Node | null
  const decoded = decodeFile(value)
  const pairs = isMap(contents) ? pairsOf(contents) : new Map<string, Pair>()
  const start = locate(contents ?? document.contents, parsed.locate(0))
  if (Either.isLeft(decoded)) report(decoded.left, start, pairs, DesiredSchema.fileKeys)
  const fields = Predicate.isRecord(value) ? value : {}
  return {
    file,
    orgsKnown: isMap(contents) && (fields.orgs === undefined || Array.isArray(fields.orgs)),
    root: located(pairs, "root", valid.root(fields.root), start),
    prune: located(pairs, "prune", valid.prune(fields.prune), start),
    parent: located(pairs, "parent", valid.parent(fields.parent), start),
    orgs: entries(pairs, "orgs", fields.orgs, [], 1),
    issues
  }
}

/**
 * What must hold before the document is turned into values: every key a scalar (a mapping or list as a key has
 * no place in the file), and every alias resolved, to the latest anchor of its name before it in document order
 * (an anchor may be redefined).
 */
const survey = (document: Document.Parsed) => {
  const anchors = new Map<string, unknown>()
  const targets = new Map<Alias, unknown>()
  const badKeys: Array<Node> = []
  visit(document, {
    Pair: (_, pair) => {
      if (!isScalar(pair.key)) badKeys.push(pair.key as Node)
    },
    Node: (_, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source))
      else if (node.anchor) anchors.set(node.anchor, node)
    }
  })
  return { badKeys, targets }
}
