/**
 * The tokens and limits of the YAML fast path's subset: the kinds of lexemes it reads, the plain scalars the
 * composer would refuse, and the bounds that send a file to the full path.
 */
import type { YAMLMap, YAMLSeq } from "yaml"

export interface Limits {
  /** The most lexer tokens the full path accepts. */
  readonly maxTokens: number
  /** The deepest parser stack the full path accepts. */
  readonly maxNesting: number
}

// Token kinds; `End` stands for a position past the last token of a line.
export const End = -1
export const Plain = 0
export const SingleQuoted = 1
export const DoubleQuoted = 2
export const Space = 3
export const Comment = 4
export const Newline = 5
export const SeqItem = 6
export const MapValue = 7
export const FlowStart = 8
export const FlowEnd = 9
export const Comma = 10
export const DocStart = 11

/** The kind of a lexeme that is not a plain scalar's text, or `undefined` outside the subset. */
export const kindOf = (lexeme: string): number | undefined => {
  switch (lexeme) {
    case "\n":
      return Newline
    case "-":
      return SeqItem
    case ":":
      return MapValue
    case "[":
      return FlowStart
    case "]":
      return FlowEnd
    case ",":
      return Comma
    case "---":
      return DocStart
  }
  switch (lexeme[0]) {
    case " ":
      return Space
    case "#":
      return Comment
    case "'":
      return SingleQuoted
    case "\"":
      return DoubleQuoted
  }
  return undefined
}

/** Whether the composer refuses a plain scalar that starts with this character. */
export const badPlainStart = (code: number): boolean => {
  switch (code) {
    case 0x2c: // ,
    case 0x25: // %
    case 0x7c: // |
    case 0x3e: // >
    case 0x40: // @
    case 0x60: // `
      return true
  }
  return false
}

/** How many distinct plain keys have their text and tag remembered: a file uses a handful, repeated per org. */
export const MaxRememberedKeys = 256

/** More tokens than this on one line are not a line a person writes: the full path takes such a file. */
export const MaxLineTokens = 1000

/** A key's `:` may be at most 1024 characters after its start; this margin keeps clear of that error. */
export const MaxKeySpan = 1000

/**
 * Margin between the collection depth here and the composer's parser stack, which also holds the document and,
 * for a moment, a flow sequence and a scalar.
 */
export const StackMargin = 4

export const MapFrame = 0
export const SeqFrame = 1

export interface Frame {
  readonly kind: typeof MapFrame | typeof SeqFrame
  /** The column of its keys or of its `-` indicators. */
  readonly indent: number
  readonly node: YAMLMap | YAMLSeq
  readonly start: number
}
