/**
 * The fast path for a desired file: its entries built straight from yaml's `Lexer` tokens, line by line, with
 * no YAML document in between (on a file of 100,000 orgs, the document's nodes take over 100 MB while it is
 * decoded). It takes a file as people and `orgsync import` write it: a mapping of settings at the top, org lists
 * as block sequences of mappings (or `[]`), single-line scalars, `previously` as a flow or block sequence,
 * comments and blank lines, within the subset of `yamlSubset`; and only when the file has nothing to report.
 * Anything else answers `undefined`, and the caller decodes the file through its document, which reports every
 * problem exactly. What it answers is what that path answers: the same entries, values and positions.
 */
import { Document, isScalar } from "yaml"
import type { SourceLocation, Status } from "../Desired.js"
import * as DesiredSchema from "../DesiredSchema.js"
import * as DesiredYaml from "../DesiredYaml.js"
import type { Entry, FileEntries, Located } from "./desiredEntry.js"
import { MaxDepth, MaxOrgs, valid } from "./entryFields.js"
import {
  Comma, Comment, DocStart, DoubleQuoted, End, FlowEnd, FlowStart, kindAt, type LineTokens, MapValue,
  MaxKeySpan, Newline, Plain, scalarReader, SeqItem, SingleQuoted, Space
} from "./yamlSubset.js"
import { eachLine } from "./yamlLines.js"

/** The fields of an org mapping as its lines are read. */
interface OrgFields {
  name: Located<string> | undefined
  extRef: string | null | undefined
  notes: string | null | undefined
  status: Located<Status> | undefined
  uid: Located<string> | undefined
  previously: Array<Located<string>> | undefined
  protect: boolean | undefined
  children: Array<Entry> | undefined
}

interface FileFields {
  root: Located<string> | undefined
  prune: Located<"report" | "deactivate"> | undefined
  parent: Located<string> | undefined
  orgs: Array<Entry> | undefined
}

interface MapFrame {
  readonly seq: false
  /** The column of its keys. */
  readonly indent: number
  readonly keys: ReadonlyArray<string>
  /** One bit per key of `keys` already set: a key set twice is a problem to report. */
  seen: number
  readonly org: OrgFields | undefined
  readonly file: FileFields | undefined
  readonly location: SourceLocation
  readonly depth: number
}

interface SeqFrame {
  readonly seq: true
  /** The column of its `-` indicators. */
  readonly indent: number
  /** Entries of orgs, or the names of `previously`. */
  readonly orgs: Array<Entry> | undefined
  readonly names: Array<Located<string>> | undefined
  /** The depth of the orgs it lists. */
  readonly depth: number
}

type Frame = MapFrame | SeqFrame

/** A key whose value is the block sequence that the next line starts. */
interface Open {
  readonly map: MapFrame
  readonly key: string
}

const orgKeys = DesiredSchema.orgKeys
const fileKeys = DesiredSchema.fileKeys

/** Past the limit on YAML tokens: the file is too large for any path but the one that reports it. */
export const TooManyTokens = "too many tokens"

/** The entries of `file`'s text, or `undefined` when it leaves the fast path's subset or has a problem. */
export const decode = (file: string, text: string): FileEntries | undefined | typeof TooManyTokens => {
  if (text.includes("\t") || text.includes("\r")) return undefined
  const read = scalarReader(new Document(undefined, DesiredYaml.yamlOptions))
  if (read === undefined) return undefined
  const limits = { maxTokens: DesiredYaml.MaxTokens, maxNesting: DesiredYaml.MaxNesting }

  let tokens: LineTokens = { kinds: [], sources: [], offsets: [], count: 0, docOffset: -1 }
  const kind = (i: number): number => kindAt(tokens, i)
  let line = 0
  let lineStart = 0
  const locate = (offset: number): SourceLocation => ({ file, line, column: offset - lineStart + 1 })

  const frames: Array<Frame> = []
  let top: FileFields | undefined
  let docStart = false
  let open: Open | undefined
  let orgCount = 0

  /** The value of the scalar at `i` as the document would give it, or `undefined` when it is not one. */
  const scalarAt = (i: number, atKey: boolean): { readonly value: unknown } | undefined => {
    const found = read(kind(i), tokens.sources[i]!, atKey)
    if (found === undefined) return undefined
    return { value: isScalar(found.resolved) ? found.resolved.value : found.resolved }
  }

  /** Whether the line ends at `i`: optional space, then an optional comment, then the line break or the end. */
  const endsAt = (i: number): boolean => {
    if (kind(i) === Space) i++
    if (kind(i) === Comment && kind(i - 1) === Space) i++
    return kind(i) === Newline || kind(i) === End
  }

  /** A valid name at `i`, as an item of `previously`. */
  const nameAt = (i: number): Located<string> | undefined => {
    const found = scalarAt(i, false)
    const name = found === undefined ? undefined : valid.name(found.value)
    return name === undefined ? undefined : { value: name, at: locate(tokens.offsets[i]!) }
  }

  /** The names of a flow sequence at `i` that runs to the end of the line. */
  const flowNames = (i: number): Array<Located<string>> | undefined => {
    const names: Array<Located<string>> = []
    let j = i + 1
    if (kind(j) === Space) j++
    if (kind(j) !== FlowEnd) {
      for (;;) {
        const name = nameAt(j)
        if (name === undefined) return undefined
        names.push(name)
        j++
        if (kind(j) === Space) j++
        if (kind(j) === FlowEnd) break
        if (kind(j) !== Comma) return undefined
        j++
        if (kind(j) === Space) j++
      }
    }
    return endsAt(j + 1) ? names : undefined
  }

  /** Sets a key given on its own line to the value at `i`, which runs to the end of the line. */
  const set = (map: MapFrame, key: string, i: number): boolean => {
    if (kind(i) === FlowStart) {
      const names = flowNames(i)
      if (names === undefined) return false
      if (key === "previously" && map.org !== undefined) map.org.previously = names
      else if (names.length > 0) return false
      else if (key === "children" && map.org !== undefined) map.org.children = []
      else if (key === "orgs" && map.file !== undefined) map.file.orgs = []
      else return false
      return true
    }
    const found = scalarAt(i, false)
    if (found === undefined || !endsAt(i + 1)) return false
    const value = found.value
    const located = <A>(checked: A | undefined): Located<A> | undefined =>
      checked === undefined ? undefined : { value: checked, at: locate(tokens.offsets[i]!) }
    const org = map.org
    if (org !== undefined) {
      switch (key) {
        case "name":
          return (org.name = located(valid.name(value))) !== undefined
        case "extRef":
          return (org.extRef = valid.extRef(value)) !== undefined
        case "notes":
          return (org.notes = valid.notes(value)) !== undefined
        case "status":
          return (org.status = located(valid.status(value))) !== undefined
        case "uid":
          return (org.uid = located(valid.uid(value))) !== undefined
        case "protect":
          return (org.protect = valid.protect(value)) !== undefined
      }
      return false
    }
    const settings = map.file!
    switch (key) {
      case "root":
        return (settings.root = located(valid.root(value))) !== undefined
      case "prune":
        return (settings.prune = located(valid.prune(value))) !== undefined
      case "parent":
        return (settings.parent = located(valid.parent(value))) !== undefined
    }
    return false
  }

  /** Adds the pair whose key is at `i` to `map`. */
  const pair = (map: MapFrame, i: number): boolean => {
    const found = scalarAt(i, true)
    const bit = typeof found?.value === "string" ? map.keys.indexOf(found.value) : -1
    if (bit === -1 || (map.seen & (1 << bit)) !== 0) return false
    map.seen |= 1 << bit
    const key = map.keys[bit]!
    let j = i + 1
    if (kind(j) === Space) j++
    if (tokens.offsets[j]! - tokens.offsets[i]! > MaxKeySpan) return false
    j++
    if (endsAt(j)) {
      if (key !== "orgs" && key !== "children" && key !== "previously") return false
      open = { map, key }
      return true
    }
    return kind(j) === Space && set(map, key, j + 1)
  }

  /** Whether a key starts at `i`: a scalar, then (after an optional space) the `:` indicator. */
  const isKey = (i: number): boolean => {
    const type = kind(i)
    if (type !== Plain && type !== SingleQuoted && type !== DoubleQuoted) return false
    return kind(i + 1) === MapValue || (kind(i + 1) === Space && kind(i + 2) === MapValue)
  }

  const orgMap = (indent: number, start: number, depth: number): MapFrame | undefined => {
    if (depth > MaxDepth || ++orgCount > MaxOrgs) return undefined
    const org: OrgFields = {
      name: undefined,
      extRef: undefined,
      notes: undefined,
      status: undefined,
      uid: undefined,
      previously: undefined,
      protect: undefined,
      children: undefined
    }
    return { seq: false, indent, keys: orgKeys, seen: 0, org, file: undefined, location: locate(start), depth }
  }

  /** Closes the innermost collection into its parent. */
  const close = (): boolean => {
    const frame = frames.pop()!
    const parent = frames[frames.length - 1]
    if (frame.seq) return true
    const org = frame.org
    if (org === undefined) return true
    if (org.name === undefined || parent === undefined || !parent.seq) return false
    parent.orgs!.push({
      name: org.name,
      extRef: org.extRef,
      notes: org.notes,
      status: org.status,
      uid: org.uid,
      previously: org.previously ?? [],
      protect: org.protect ?? false,
      children: org.children ?? [],
      location: frame.location
    })
    return true
  }

  /** The collection that a content line at `column` continues or starts. */
  const place = (column: number, isItem: boolean, start: number): Frame | undefined => {
    if (open !== undefined) {
      // Only sequences are written on the lines below their key, at its column or further in.
      const { key, map } = open
      open = undefined
      if (!isItem || column < map.indent) return undefined
      const seq: SeqFrame = key === "previously"
        ? { seq: true, indent: column, orgs: undefined, names: (map.org!.previously = []), depth: map.depth }
        : {
          seq: true,
          indent: column,
          orgs: key === "orgs" ? (map.file!.orgs = []) : (map.org!.children = []),
          names: undefined,
          depth: map.depth + 1
        }
      frames.push(seq)
      return seq
    }
    if (top === undefined) {
      if (isItem || column !== 0) return undefined
      top = { root: undefined, prune: undefined, parent: undefined, orgs: undefined }
      const location = locate(start)
      const map: MapFrame = { seq: false, indent: 0, keys: fileKeys, seen: 0, org: undefined, file: top, location, depth: 0 }
      frames.push(map)
      return map
    }
    for (;;) {
      const last = frames[frames.length - 1]
      if (last === undefined) return undefined
      if (last.indent > column || (last.indent === column && last.seq && !isItem)) {
        if (!close()) return undefined
      } else break
    }
    const last = frames[frames.length - 1]!
    return last.indent === column && last.seq === isItem ? last : undefined
  }

  const content = (): boolean => {
    let i = 0
    let column = 0
    if (kind(0) === Space) {
      column = tokens.sources[0]!.length
      i = 1
    }
    if (kind(i) === End || kind(i) === Newline || kind(i) === Comment) return true
    if (tokens.docOffset === -1) return false
    if (kind(i) === DocStart) {
      if (i !== 0 || docStart || top !== undefined || !endsAt(1)) return false
      docStart = true
      return true
    }
    const start = tokens.offsets[i]!
    if (kind(i) !== SeqItem) {
      if (!isKey(i)) return false
      const frame = place(column, false, start)
      return frame !== undefined && !frame.seq && pair(frame, i)
    }
    if (kind(i + 1) !== Space) return false
    const frame = place(column, true, start)
    if (frame === undefined || !frame.seq) return false
    const body = i + 2
    if (frame.names !== undefined) {
      const name = nameAt(body)
      if (name === undefined || !endsAt(body + 1)) return false
      frame.names.push(name)
      return true
    }
    if (!isKey(body)) return false
    const map = orgMap(column + 1 + tokens.sources[i + 1]!.length, tokens.offsets[body]!, frame.depth)
    if (map === undefined) return false
    frames.push(map)
    return pair(map, body)
  }

  const scanned = eachLine(text, limits, (lineTokens, lineEnd) => {
    tokens = lineTokens
    line++
    // Positions are counted from the line's start: a line break inside a token would shift them.
    const breakAt = text.indexOf("\n", lineStart)
    if (breakAt !== -1 && breakAt !== lineEnd - 1) return false
    const ok = content()
    lineStart = lineEnd
    return ok
  })
  if (scanned === "too many tokens") return TooManyTokens
  if (scanned === "left" || top === undefined || open !== undefined) return undefined
  while (frames.length > 0) if (!close()) return undefined
  return {
    file,
    orgsKnown: true,
    root: top.root,
    prune: top.prune,
    parent: top.parent,
    orgs: top.orgs ?? [],
    issues: []
  }
}
