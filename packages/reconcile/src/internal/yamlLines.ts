/**
 * The lexemes of the fast paths' subset as yaml's `Lexer` gives them, read line by line by scanning the string,
 * without the Lexer's generator: on a 10,000-org file that is a third of the time the parse took. Each line is
 * read only when it is certain to give the Lexer's lexemes: a line that might not (a value that a deeper line
 * could continue, an unclosed quote or flow sequence, anchors, tags, directives, block scalars, a second
 * document) ends the scan with `left`, and the caller takes the full path, which reads any YAML.
 */
import {
  Comma,
  Comment,
  DocStart,
  DoubleQuoted,
  FlowEnd,
  FlowStart,
  type Limits,
  type LineTokens,
  MapValue,
  Newline,
  Plain,
  SeqItem,
  SingleQuoted,
  Space
} from "./yamlSubset.js"

/**
 * More tokens than this on one line are not a line a person writes: the full path takes such a file. The scan
 * leaves a line as soon as it holds as many, so that a file of one long line costs no more than the full path.
 */
export const MaxLineTokens = 1000

const space = 0x20
const hash = 0x23
const dash = 0x2d
const question = 0x3f
const colon = 0x3a
const dot = 0x2e
const comma = 0x2c
const openBracket = 0x5b
const closeBracket = 0x5d
const openBrace = 0x7b
const closeBrace = 0x7d
const singleQuote = 0x27
const doubleQuote = 0x22
const backslash = 0x5c

/** Characters the scan never reads: tabs, carriage returns and other controls, and Unicode line breaks. */
const unread = /[\u0000-\u0009\u000b-\u001f\u007f\u0085\u2028\u2029\ufeff]/

/** Whether a plain scalar may not start with this character (an indicator; `-` is read as a sequence item). */
const indicator = (code: number): boolean => {
  switch (code) {
    case 0x2d: // -
    case 0x3f: // ?
    case 0x3a: // :
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x23: // #
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x27: // '
    case 0x22: // "
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return true
  }
  return false
}

/**
 * Feeds the text to `line`, one line of tokens at a time with the offset where the line ends. Answers `read`
 * when every line was taken, `left` when `line` refused one or a line leaves the subset, and `too many tokens`
 * past the limit on the Lexer's lexemes (where the full path reports it).
 */
export const eachLine = (
  text: string,
  limits: Limits,
  line: (tokens: LineTokens, lineEnd: number) => boolean
): "read" | "left" | "too many tokens" => {
  if (unread.test(text)) return "left"
  const tokens: LineTokens = { kinds: [], sources: [], offsets: [], count: 0, docOffset: -1 }
  // The Lexer's count: every token, and a marker before the document and before each plain scalar.
  let lexemes = 0
  let markers = 0
  // The last line that ended with a value: a later line indented deeper than that line's start, other than at
  // its innermost key's column, could continue the value.
  let valueLineStart = -1
  let valueKeyColumn = -1

  let end = 0
  const code = (at: number) => text.charCodeAt(at)
  const push = (kind: number, from: number, to: number) => {
    const at = tokens.count++
    tokens.kinds[at] = kind
    tokens.sources[at] = text.slice(from, to)
    tokens.offsets[at] = from
  }
  const spaces = (from: number): number => {
    let to = from
    while (to < end && code(to) === space) to++
    if (to > from) push(Space, from, to)
    return to
  }

  /** A quoted scalar closed on its line, from `from` to the end it answers, or -1. */
  const quoted = (from: number): number => {
    if (code(from) === singleQuote) {
      for (let at = from + 1; at < end; at++) {
        if (code(at) !== singleQuote) continue
        if (at + 1 < end && code(at + 1) === singleQuote) at++
        else return at + 1
      }
      return -1
    }
    for (let at = from + 1; at < end; at++) {
      const c = code(at)
      if (c === backslash) at++
      else if (c === doubleQuote) return at + 1
    }
    return -1
  }

  /** A scalar that a value or key starts with at `from`: its kind and end, or `undefined`. */
  const scalar = (from: number, inFlow: boolean): { readonly kind: number; readonly to: number } | undefined => {
    const first = code(from)
    if (first === singleQuote || first === doubleQuote) {
      const to = quoted(from)
      if (to === -1) return undefined
      const next = to === end ? -1 : code(to)
      const fits = next === -1 || next === space || (inFlow ? next === comma || next === closeBracket : next === colon)
      return fits ? { kind: first === singleQuote ? SingleQuoted : DoubleQuoted, to } : undefined
    }
    // `-`, `?` and `:` start a plain scalar when a character that could follow in it comes next.
    if (indicator(first)) {
      const next = from + 1 < end ? code(from + 1) : space
      const starts = (first === dash || first === question || first === colon) && next !== space &&
        !(inFlow && (next === comma || next === openBracket || next === closeBracket || next === openBrace || next === closeBrace))
      if (!starts) return undefined
    }
    let at = from
    while (at < end) {
      const c = code(at)
      if (c === space) {
        let after = at
        while (after < end && code(after) === space) after++
        if (after === end) break
        const next = code(after)
        if (next === hash) break
        if (inFlow ? next === comma || next === closeBracket : next === colon && (after + 1 === end || code(after + 1) === space)) break
        at = after
        continue
      }
      if (inFlow) {
        if (c === comma || c === closeBracket) break
        if (c === colon || c === hash || c === openBracket || c === openBrace || c === closeBrace) return undefined
      } else if (c === colon && (at + 1 === end || code(at + 1) === space)) {
        break
      }
      at++
    }
    // A flow sequence must close on its line.
    return inFlow && at === end ? undefined : { kind: Plain, to: at }
  }

  const pushScalar = (kind: number, from: number, to: number) => {
    if (kind === Plain) markers++
    push(kind, from, to)
  }

  /** A flow sequence of scalars closed on its line, from the `[` at `from`: where it ends, or -1. */
  const flow = (from: number): number => {
    push(FlowStart, from, from + 1)
    let at = spaces(from + 1)
    while (at < end) {
      if (tokens.count >= MaxLineTokens) return -1
      if (code(at) === closeBracket) {
        push(FlowEnd, at, at + 1)
        return at + 1
      }
      const item = scalar(at, true)
      if (item === undefined) return -1
      pushScalar(item.kind, at, item.to)
      at = spaces(item.to)
      if (at === end) return -1
      if (code(at) === comma) {
        push(Comma, at, at + 1)
        at = spaces(at + 1)
      } else if (code(at) !== closeBracket) {
        return -1
      }
    }
    return -1
  }

  /** A value from `from` to the end of the line: a scalar or a flow sequence, spaces, a comment. */
  const value = (from: number): boolean => {
    let to: number
    if (code(from) === openBracket) {
      to = flow(from)
      if (to === -1) return false
    } else {
      const read = scalar(from, false)
      if (read === undefined) return false
      pushScalar(read.kind, from, read.to)
      to = read.to
    }
    const after = spaces(to)
    if (after === end) return true
    if (after > to && code(after) === hash) {
      push(Comment, after, end)
      return true
    }
    return false
  }

  /** The content of a line from `from`, past its indentation; `false` when it leaves the subset. */
  const content = (start: number, from: number): boolean => {
    let at = from
    let items = 0
    while (at < end && code(at) === dash && (at + 1 === end || code(at + 1) === space)) {
      if (tokens.count >= MaxLineTokens) return false
      push(SeqItem, at, at + 1)
      items++
      at = spaces(at + 1)
    }
    if (at === end) return true
    if (code(at) === hash) {
      push(Comment, at, end)
      return true
    }
    const column = at - start
    if (code(at) === openBracket) {
      if (items === 0 || !value(at)) return false
      valueLineStart = from - start
      valueKeyColumn = -1
      return true
    }
    const read = scalar(at, false)
    if (read === undefined) return false
    const afterScalar = read.to
    let mark = afterScalar
    while (mark < end && code(mark) === space) mark++
    if (mark < end && code(mark) === colon && (mark + 1 === end || code(mark + 1) === space)) {
      pushScalar(read.kind, at, afterScalar)
      if (mark > afterScalar) push(Space, afterScalar, mark)
      push(MapValue, mark, mark + 1)
      const valueAt = spaces(mark + 1)
      if (valueAt === end) return true
      if (code(valueAt) === hash) {
        push(Comment, valueAt, end)
        return true
      }
      if (!value(valueAt)) return false
      valueLineStart = from - start
      valueKeyColumn = column
      return true
    }
    // A scalar on its own is a sequence item's; elsewhere it could be a key spread over lines.
    if (items === 0 || !value(at)) return false
    valueLineStart = from - start
    valueKeyColumn = -1
    return true
  }

  for (let start = 0; start < text.length;) {
    const breakAt = text.indexOf("\n", start)
    end = breakAt === -1 ? text.length : breakAt
    tokens.count = 0
    markers = 0
    const from = spaces(start)
    const indent = from - start
    if (from < end && code(from) !== hash) {
      // Only a `---` that starts the document is read; a second document, its end and directives are not.
      const marked = indent === 0 && (text.startsWith("---", from) || text.startsWith("...", from))
      if (
        marked && (tokens.docOffset !== -1 || code(from) === dot || (from + 3 < end && code(from + 3) !== space))
      ) return "left"
      if (tokens.docOffset === -1) {
        tokens.docOffset = start
        markers++
      }
      if (valueLineStart !== -1 && indent > valueLineStart && indent !== valueKeyColumn) return "left"
      valueLineStart = -1
      valueKeyColumn = -1
      if (marked) {
        push(DocStart, from, from + 3)
        const after = spaces(from + 3)
        if (after < end) {
          if (code(after) !== hash) return "left"
          push(Comment, after, end)
        }
      } else if (!content(start, from)) {
        return "left"
      }
    } else if (from < end) {
      push(Comment, from, end)
    }
    if (tokens.count >= MaxLineTokens) return "left"
    if (breakAt !== -1) push(Newline, breakAt, breakAt + 1)
    lexemes += tokens.count + markers
    if (lexemes > limits.maxTokens) return "too many tokens"
    start = breakAt === -1 ? text.length : breakAt + 1
    if (tokens.count > 0 && !line(tokens, start)) return "left"
  }
  return "read"
}
