/**
 * The YAML form of the desired state: parsing a file's text into a YAML document within fixed bounds (hostile
 * input must neither crash nor stall the daemon), and rendering the live tree as an `orgs.yaml` for
 * `orgsync import`.
 */
import type { RemoteOrg } from "./OrgApi.js"
import { Composer, type CST, Document, Lexer, LineCounter, Pair, Parser, Scalar, YAMLMap, YAMLSeq } from "yaml"
import type { SourceLocation, Status, ValidationIssue } from "./Desired.js"
import * as DesiredSchema from "./DesiredSchema.js"
import * as YamlFast from "./internal/yamlFast.js"
import * as TreeIndex from "./internal/treeIndex.js"

/**
 * The deepest YAML nesting a file may have. The composer recurses per level and, on a few hundred thousand
 * open brackets, exhausts the heap instead of failing, so depth is checked while the text is still being
 * tokenized. 128 levels leave room for orgs nested to their limit of 50.
 */
export const MaxNesting = 128

/**
 * The most YAML tokens a file may have. Parsed YAML takes a few hundred bytes per token, so this, rather than
 * the byte size, bounds memory: 100,000 orgs with every field set take 3.3 million tokens.
 */
export const MaxTokens = 4_000_000

/**
 * The options desired files are parsed and rendered with. YAML 1.2 core schema: `yes`, `no`, `on` stay strings;
 * integers keep every digit (uids are 19 digits).
 */
export const yamlOptions = {
  version: "1.2",
  schema: "core",
  intAsBigInt: true,
  uniqueKeys: false,
  prettyErrors: false,
  strict: true
} as const

export interface Parsed {
  /** `undefined` when the text is not a single well-formed YAML document (see `issues`). */
  readonly document: Document.Parsed | undefined
  readonly issues: ReadonlyArray<ValidationIssue>
  /** The 1-based line and column of an offset in the text. */
  readonly locate: (offset: number) => SourceLocation
}

const locator = (file: string, lineCounter: LineCounter) => (offset: number): SourceLocation => {
  const { col, line } = lineCounter.linePos(offset)
  return { file, line, column: col }
}

/** The lines of text in the subset that the fast path takes, where every "\n" ends a line (as in the parser). */
const linesOf = (text: string): LineCounter => {
  const lineCounter = new LineCounter()
  lineCounter.addNewLine(0)
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) lineCounter.addNewLine(at + 1)
  return lineCounter
}

/**
 * Parses one file's text; syntax errors and warnings become issues, never exceptions. A file in the plain subset
 * of YAML that desired files are written in (an import of 100,000 orgs among them) takes a fast path to the same
 * document; any other takes the full path, as does every file when `path` is `full`.
 */
export const parse = (file: string, text: string, path?: "full"): Parsed => {
  const document = path === "full"
    ? undefined
    : YamlFast.compose(text, yamlOptions, { maxTokens: MaxTokens, maxNesting: MaxNesting })
  return document === undefined
    ? parseFully(file, text)
    : { document, issues: [], locate: locator(file, linesOf(text)) }
}

/** Every YAML construct, every syntax error, within the bounds on tokens and nesting. */
const parseFully = (file: string, text: string): Parsed => {
  const lineCounter = new LineCounter()
  const locate = locator(file, lineCounter)
  const fail = (issues: ReadonlyArray<ValidationIssue>): Parsed => ({ document: undefined, issues, locate })

  const tokens: Array<CST.Token> = []
  const parser = new Parser(lineCounter.addNewLine)
  lineCounter.addNewLine(0)
  let count = 0
  for (const lexeme of new Lexer().lex(text)) {
    const offset = parser.offset
    if (++count > MaxTokens) {
      return fail([{ ...locate(offset), message: `the file is too large: more than ${MaxTokens} YAML tokens` }])
    }
    for (const token of parser.next(lexeme)) tokens.push(token)
    if (parser.stack.length > MaxNesting) {
      return fail([{ ...locate(offset), message: `YAML nested deeper than ${MaxNesting} levels` }])
    }
  }
  for (const token of parser.end()) tokens.push(token)

  let document: Document.Parsed | undefined
  for (const composed of new Composer(yamlOptions).compose(tokens, true, text.length)) {
    if (document !== undefined) {
      return fail([{ ...locate(composed.range[0]), message: "a second YAML document: a file holds a single one" }])
    }
    document = composed
  }
  const problems = [...document!.errors, ...document!.warnings]
  if (problems.length > 0) {
    return fail(problems.map((problem) => ({ ...locate(problem.pos[0]), message: `invalid YAML: ${problem.message}` })))
  }
  return { document, issues: [], locate }
}

// Rendering

const quoted = (value: string): Scalar => {
  const scalar = new Scalar(value)
  scalar.type = Scalar.QUOTE_DOUBLE
  return scalar
}

const byName = (a: RemoteOrg, b: RemoteOrg): number =>
  a.orgName < b.orgName ? -1 : a.orgName > b.orgName ? 1 : a.orgUid < b.orgUid ? -1 : a.orgUid > b.orgUid ? 1 : 0

/**
 * The live tree under `rootOrgUid` as an `orgs.yaml`, every org pinned by `uid`, children sorted by name.
 * `status` is written where it differs from the parent's; a state that a file cannot express (an org active
 * below a blocked one) is written as the parent's status, with a comment that says so.
 */
export const renderImport = (input: { readonly rootOrgUid: string; readonly orgs: ReadonlyArray<RemoteOrg> }): string => {
  const { children } = TreeIndex.index(input.orgs)
  // A tree by contract; the guard keeps a corrupt answer with a cycle from recursing forever.
  const seen = new Set<string>([input.rootOrgUid])

  const render = (parentUid: string, parentStatus: Status): YAMLSeq => {
    const seq = new YAMLSeq()
    for (const org of [...(children.get(parentUid) ?? [])].sort(byName)) {
      if (seen.has(org.orgUid)) continue
      seen.add(org.orgUid)
      const map = new YAMLMap()
      const name = new Scalar(org.orgName)
      // A short listing item (no active, status or blocked) is read as active: the file says it was not checked.
      if (org.active === undefined && org.status === undefined && org.blocked === undefined) {
        name.comment = " Code42 did not say whether it is active, blocked or deactivated: written as active, check it"
      }
      map.add(new Pair("name", name))
      map.add(new Pair("uid", quoted(org.orgUid)))
      if (org.orgExtRef != null) map.add(new Pair("extRef", org.orgExtRef))
      if (org.notes != null) map.add(new Pair("notes", org.notes))
      const remote = TreeIndex.statusOf(org)
      const status = DesiredSchema.allowedBelow(parentStatus, remote) ? remote : parentStatus
      if (status !== parentStatus || status !== remote) {
        const scalar = new Scalar(status)
        if (status !== remote) {
          scalar.comment = ` ${remote} in Code42, which a file cannot express below a ${parentStatus} parent`
        }
        map.add(new Pair("status", scalar))
      }
      const below = render(org.orgUid, status)
      if (below.items.length > 0) map.add(new Pair("children", below))
      seq.items.push(map)
    }
    return seq
  }

  const document = new Document(null, yamlOptions)
  document.commentBefore = " yaml-language-server: $schema=./orgs.schema.json"
  const top = new YAMLMap()
  top.add(new Pair("root", quoted(input.rootOrgUid)))
  top.add(new Pair("orgs", render(input.rootOrgUid, "active")))
  document.contents = top
  // No folding: a folded name would not read back the same when it holds runs of spaces.
  return document.toString({ lineWidth: 0 })
}
