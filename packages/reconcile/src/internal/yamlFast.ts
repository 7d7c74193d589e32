/**
 * A fast path for parsing desired-state YAML: for text that stays inside a plain subset of YAML, the document
 * nodes are built straight from yaml's `Lexer` tokens, skipping its CST parser and composer, which take seconds
 * and hundreds of MiB on a file of 100,000 orgs. The result is the document the composer would give: the same
 * nodes, values and `range` offsets. Comments and blank lines are not attached to nodes: nothing reads them.
 *
 * The subset: one document (an optional leading `---`), a block mapping at its top; block mappings and block
 * sequences (items that start on their `- ` line, sequences also at their key's column); single-line plain,
 * single-quoted and double-quoted scalars; single-line flow sequences of scalars; comments and blank lines.
 * Anything else, and anything the composer would report, ends the fast path with `undefined`: the caller then
 * takes the full path, which reports every problem. The fast path never reports one itself.
 *
 * A file with nothing to report has its entries built without any document (`entriesFast`); this path serves
 * the files in the subset that have something to report, whose problems are found on the document.
 */
import {
  Document,
  type DocumentOptions,
  isScalar,
  Pair,
  type ParseOptions,
  Scalar,
  type SchemaOptions,
  YAMLMap,
  YAMLSeq
} from "yaml"
import {
  Comma, Comment, DocStart, DoubleQuoted, End, FlowEnd, FlowStart, type Frame, kindAt, type Limits,
  type LineTokens, MapFrame, MapValue, MaxKeySpan, Newline, Plain, scalarReader, SeqFrame, SeqItem, SingleQuoted,
  Space, StackMargin
} from "./yamlSubset.js"
import { eachLine } from "./yamlLines.js"

/** A node the fast path builds. */
type Content = Scalar | YAMLMap | YAMLSeq

/** The document of `text`, or `undefined` when the text leaves the subset or the full path would reject it. */

export const compose = (
  text: string,
  options: DocumentOptions & SchemaOptions & ParseOptions,
  limits: Limits
): Document.Parsed | undefined => {
  // Tabs and carriage returns bring rules (tab indentation, CRLF line ends) that the full path handles.
  if (text.includes("\t") || text.includes("\r")) return undefined
  const document = new Document(undefined, options)
  const schema = document.schema
  const read = scalarReader(document)
  if (read === undefined) return undefined
  const maxDepth = limits.maxNesting - StackMargin

  // The tokens of the current line.
  let tokens: LineTokens = { kinds: [], sources: [], offsets: [], count: 0, docOffset: -1 }
  let sources = tokens.sources
  let offsets = tokens.offsets
  const kind = (i: number): number => kindAt(tokens, i)

  const frames: Array<Frame> = []
  let root: YAMLMap | undefined
  let docStart = false
  /** A pair whose value is the collection that the next line starts. */
  let open: { readonly pair: Pair<Scalar, Content | null>; readonly indent: number } | undefined
  /** The scalar or flow sequence that ended the last content line, and the indent of its collection. */
  let leaf: Content | undefined
  let leafIndent = 0
  /** Whether comment lines after the leaf still count as its trailing comments (they are indented past it). */
  let absorbing = false
  /** Blank and comment lines after the leaf's own: they end a collection when they stay inside it. */
  let trailing = false
  let trailingEnd = 0
  let trailingIndent = -1

  /** A scalar node as the composer makes it, or `undefined` when it would report a problem. */
  const scalar = (i: number, atKey: boolean): Scalar | undefined => {
    const type = kind(i)
    const source = sources[i]!
    const found = read(type, source, atKey)
    if (found === undefined) return undefined
    const node = isScalar(found.resolved) ? found.resolved : new Scalar(found.resolved)
    const end = offsets[i]! + source.length
    node.range = [offsets[i]!, end, end]
    node.source = found.text
    node.type = type === Plain ? Scalar.PLAIN : type === SingleQuoted ? Scalar.QUOTE_SINGLE : Scalar.QUOTE_DOUBLE
    if (found.tag.format) node.format = found.tag.format
    return node
  }

  /** Whether the line ends at `i`: optional space, then an optional comment, then the line break or the end. */
  const endsAt = (i: number): boolean => {
    if (kind(i) === Space) i++
    if (kind(i) === Comment && kind(i - 1) === Space) i++
    return kind(i) === Newline || kind(i) === End
  }

  /** The value at `i` (a scalar or a flow sequence of scalars) that runs to the end of the line. */
  const value = (i: number, lineEnd: number): Content | undefined => {
    if (kind(i) !== FlowStart) {
      const node = scalar(i, false)
      if (node === undefined || !endsAt(i + 1)) return undefined
      node.range![2] = lineEnd
      return node
    }
    const seq = new YAMLSeq(schema)
    seq.flow = true
    let j = i + 1
    if (kind(j) === Space) j++
    if (kind(j) !== FlowEnd) {
      for (;;) {
        const item = scalar(j, false)
        if (item === undefined) return undefined
        j++
        if (kind(j) === Space) {
          item.range![2] += sources[j]!.length
          j++
        }
        seq.items.push(item)
        if (kind(j) === FlowEnd) break
        if (kind(j) !== Comma) return undefined
        j++
        if (kind(j) === Space) j++
      }
    }
    if (!endsAt(j + 1)) return undefined
    seq.range = [offsets[i]!, offsets[j]! + 1, lineEnd]
    return seq
  }

  /**
   * Closes the innermost collection. Blank and comment lines left after its last value stay in it (and extend
   * its range) unless it is at column 0 or every comment among them is less indented than it is.
   */
  const close = (): void => {
    const frame = frames.pop()!
    const items = frame.node.items
    const last = frame.kind === MapFrame ? (items[items.length - 1] as Pair<Scalar, Content>).value : items[items.length - 1]
    const valueEnd = (last as Content).range![2]
    let end = valueEnd
    if (trailing && frame.indent > 0 && trailingIndent >= frame.indent) {
      end = trailingEnd
      trailing = false
    }
    frame.node.range = [frame.start, valueEnd, end]
    // An array grown by `push` keeps room for more items than a mapping of an org holds; a copy fits them.
    frame.node.items = items.slice()
  }

  const push = (type: Frame["kind"], indent: number, start: number): Frame | undefined => {
    if (frames.length >= maxDepth) return undefined
    const frame: Frame = {
      kind: type,
      indent,
      node: type === MapFrame ? new YAMLMap(schema) : new YAMLSeq(schema),
      start
    }
    frames.push(frame)
    return frame
  }

  /** The collection that a content line at `column` continues or starts. */
  const place = (column: number, isItem: boolean, start: number): Frame | undefined => {
    if (open !== undefined) {
      // A sequence may sit at its key's column; anything else nested is further in.
      if (isItem ? column < open.indent : column <= open.indent) return undefined
      const frame = push(isItem ? SeqFrame : MapFrame, column, start)
      if (frame === undefined) return undefined
      open.pair.value = frame.node
      open = undefined
      return frame
    }
    if (root === undefined) {
      if (isItem || column !== 0) return undefined
      const frame = push(MapFrame, 0, start)!
      root = frame.node as YAMLMap
      return frame
    }
    // The line's indentation joins the blank and comment lines before it.
    if (trailing) trailingEnd = start
    for (;;) {
      const top = frames[frames.length - 1]
      if (top === undefined) return undefined
      if (top.indent > column || (top.indent === column && top.kind === SeqFrame && !isItem)) close()
      else break
    }
    const top = frames[frames.length - 1]!
    if (top.indent !== column || (top.kind === SeqFrame) !== isItem) return undefined
    // Blank and comment lines before the line belong to its item now.
    trailing = false
    return top
  }

  /** Adds the pair whose key is at `i` to the mapping `frame`. */
  const pair = (frame: Frame, i: number, lineEnd: number): boolean => {
    const key = scalar(i, true)
    if (key === undefined) return false
    let j = i + 1
    if (kind(j) === Space) j++
    if (offsets[j]! - offsets[i]! > MaxKeySpan) return false
    j++
    const map = frame.node as YAMLMap<Scalar, Content | null>
    if (endsAt(j)) {
      const opened = new Pair<Scalar, Content | null>(key, null)
      map.items.push(opened)
      open = { pair: opened, indent: frame.indent }
      leaf = undefined
      return true
    }
    if (kind(j) !== Space) return false
    const node = value(j + 1, lineEnd)
    if (node === undefined) return false
    map.items.push(new Pair(key, node))
    settle(node, frame.indent)
    return true
  }

  const settle = (node: Content, indent: number) => {
    leaf = node
    leafIndent = indent
    absorbing = true
    trailing = false
  }

  /** A blank or comment line; `indent` is a comment's column. */
  const trivia = (indent: number | undefined, lineEnd: number): void => {
    // Before the document, after `---` or after a key whose value starts below, such lines do not count.
    if (leaf === undefined) return
    if (absorbing && indent !== undefined) {
      if (indent > leafIndent) {
        leaf.range![2] = lineEnd
        trailing = false
        trailingIndent = -1
        return
      }
      absorbing = false
    }
    if (!trailing) {
      trailing = true
      trailingIndent = -1
    }
    trailingEnd = lineEnd
    if (indent !== undefined) trailingIndent = Math.max(trailingIndent, indent)
  }

  const line = (lineEnd: number): boolean => {
    let i = 0
    let column = 0
    if (kind(0) === Space) {
      column = sources[0]!.length
      i = 1
    }
    if (kind(i) === End || kind(i) === Newline) {
      trivia(undefined, lineEnd)
      return true
    }
    if (kind(i) === Comment) {
      trivia(column, lineEnd)
      return true
    }
    if (tokens.docOffset === -1) return false
    if (kind(i) === DocStart) {
      if (i !== 0 || docStart || root !== undefined || !endsAt(1)) return false
      docStart = true
      tokens.docOffset = offsets[0]!
      return true
    }
    leaf = undefined
    const start = offsets[i]!
    if (kind(i) === SeqItem) {
      if (kind(i + 1) !== Space) return false
      const frame = place(column, true, start)
      if (frame === undefined) return false
      const seq = frame.node as YAMLSeq<Content>
      const body = i + 2
      if (isKey(body)) {
        const map = push(MapFrame, column + 1 + sources[i + 1]!.length, offsets[body]!)
        if (map === undefined) return false
        seq.items.push(map.node)
        return pair(map, body, lineEnd)
      }
      const node = value(body, lineEnd)
      if (node === undefined) return false
      seq.items.push(node)
      settle(node, frame.indent)
      return true
    }
    if (!isKey(i)) return false
    const frame = place(column, false, start)
    return frame !== undefined && pair(frame, i, lineEnd)
  }

  /** Whether a key starts at `i`: a scalar, then (after an optional space) the `:` indicator. */
  const isKey = (i: number): boolean => {
    const type = kind(i)
    if (type !== Plain && type !== SingleQuoted && type !== DoubleQuoted) return false
    return kind(i + 1) === MapValue || (kind(i + 1) === Space && kind(i + 2) === MapValue)
  }

  const scanned = eachLine(text, limits, (lineTokens, lineEnd) => {
    tokens = lineTokens
    sources = lineTokens.sources
    offsets = lineTokens.offsets
    return line(lineEnd)
  })
  if (scanned !== "read" || root === undefined || open !== undefined) return undefined
  while (frames.length > 0) close()

  const contentEnd = root.range![2]
  document.contents = root
  document.range = [tokens.docOffset, contentEnd, trailing ? trailingEnd : contentEnd]
  if (docStart && document.directives) document.directives.docStart = true
  return document as Document.Parsed
}
