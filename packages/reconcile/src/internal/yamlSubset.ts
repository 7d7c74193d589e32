/**
 * The tokens and limits of the YAML fast paths' subset: the kinds of lexemes they read, line by line, the
 * scalars as the composer resolves them (or `undefined` where it would refuse one), and the bounds that send a
 * file to the full path.
 */
import {
  CST,
  type Document,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq
} from "yaml"

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

/** The tokens of one line, its line break included; positions past `count` read as `End`. */
export interface LineTokens {
  readonly kinds: Array<number>
  readonly sources: Array<string>
  readonly offsets: Array<number>
  count: number
  /** The offset where the document starts, or -1 before it does. */
  docOffset: number
}

/** The kind of the token at `i` of a line. */
export const kindAt = (tokens: LineTokens, i: number): number => (i < tokens.count ? tokens.kinds[i]! : End)

/** A scalar as the composer reads it: its text, its tag, and the value the tag resolves it to. */
export interface ResolvedScalar {
  readonly text: string
  readonly tag: ScalarTag
  readonly resolved: unknown
}

/**
 * Reads single-line scalars as the composer does with `document`'s schema and options: a plain scalar takes the
 * first tag whose test matches (keys also the key-only tags), the quoted ones are strings. `undefined` where the
 * composer would report a problem, or where the schema is one the fast paths do not follow.
 */
export const scalarReader = (document: Document) => {
  const schema = document.schema
  const testedTags = schema.tags.filter((tag): tag is ScalarTag => tag.test !== undefined)
  const valueTags = testedTags.filter((tag) => tag.default === true)
  const keyTags = testedTags.filter((tag) => tag.default === true || tag.default === "key")
  const stringTag = schema.tags.find((tag): tag is ScalarTag => tag.tag === "tag:yaml.org,2002:str")
  if (schema.compat || stringTag === undefined) return undefined
  /** Plain keys seen: one string per key text for every node, and its tag. */
  const keys = new Map<string, { readonly text: string; readonly tag: ScalarTag }>()
  let failed = false
  const onError = () => {
    failed = true
  }
  return (type: number, source: string, atKey: boolean): ResolvedScalar | undefined => {
    if (type === End || source.includes("\n")) return undefined
    let text: string
    let tag = stringTag
    if (type === Plain) {
      const remembered = atKey ? keys.get(source) : undefined
      if (remembered !== undefined) {
        text = remembered.text
        tag = remembered.tag
      } else {
        if (source === "" || badPlainStart(source.charCodeAt(0))) return undefined
        text = source
        for (const candidate of atKey ? keyTags : valueTags) {
          if (candidate.test!.test(text)) {
            tag = candidate
            break
          }
        }
        if (atKey && keys.size < MaxRememberedKeys) keys.set(text, { text, tag })
      }
    } else if (type === SingleQuoted) {
      if (source.length < 2 || source[source.length - 1] !== "'") return undefined
      text = source.slice(1, -1).replaceAll("''", "'")
    } else if (type === DoubleQuoted) {
      failed = false
      const token = { type: "double-quoted-scalar", offset: 0, indent: 0, source } as const
      const resolved = CST.resolveAsScalar(token, true, onError)
      if (failed || resolved === null) return undefined
      text = resolved.value
    } else {
      return undefined
    }
    let resolved: unknown
    failed = false
    try {
      resolved = tag.resolve(text, onError, document.options)
    } catch {
      return undefined
    }
    return failed ? undefined : { text, tag, resolved }
  }
}
