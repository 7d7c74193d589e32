/**
 * Random YAML texts for the fast paths' tests: tenants with odd names, texts laid out as people write them
 * (random layouts, random desired files), and random edits that may break them.
 */
import { Org } from "@c42/core"
import type { PCGRandom } from "effect/Utils"

export const pick = <A>(random: PCGRandom, items: ReadonlyArray<A>): A => items[random.integer(items.length)]!
export const chance = (random: PCGRandom, p: number) => random.number() < p

/** Name fragments that YAML would misread unquoted, with the letters people use. */
const fragments = [
  "Team", "Ops", "R&D", "#1", " # ", ":", ": ", "/", " / ", "\"", "'", "Zürich", "東京", "🚀", "-", "- ", "?", "[x]",
  "{y}", ",", "*", "&", "!", "%", "@", "`", "|", ">", "~", "true", "null", "0x1F", "1e3", "007", "\\", "  "
]
const plainFragments = ["Team", "Ops", "Zürich", "東京", "🚀", "a", "b", " ", "-", "/", "0", "1"]
const oddName = (random: PCGRandom): string => {
  let name = ""
  while (name.trim().length < 2 || chance(random, 0.5)) name += pick(random, fragments)
  return name
}

/** A tenant of `count` orgs under a top-level org, with odd names, some notes and some blocked or deactivated. */
export const oddTenant = (random: PCGRandom, count: number): ReadonlyArray<Org.Org> => {
  const orgs: Array<Org.Org> = []
  for (let id = 1; id <= count + 1; id++) {
    const parent = id === 1 ? undefined : orgs[random.integer(orgs.length)]!
    const status = pick(random, ["active", "active", "active", "blocked", "deactivated"])
    orgs.push(
      new Org.Org({
        orgId: id,
        orgUid: `10077594549619${String(id).padStart(5, "0")}`,
        orgGuid: `guid-${id}`,
        orgName: `${oddName(random)} ${id}`,
        orgExtRef: chance(random, 0.5) ? oddName(random) : null,
        notes: chance(random, 0.3) ? oddName(random) : null,
        status: status === "deactivated" ? "Deactivated" : "Active",
        active: status !== "deactivated",
        blocked: status === "blocked",
        parentOrgId: parent?.orgId ?? null,
        parentOrgUid: parent?.orgUid ?? null,
        parentOrgGuid: parent?.orgGuid ?? null
      })
    )
  }
  return orgs
}

/**
 * A random YAML text in the shapes desired files take, laid out as people write them: indentation of any width
 * (sequences also at their key's column), comments at any column, blank lines, trailing spaces, the three
 * scalar quotings, flow sequences, `---`, no final line break. Every scalar is drawn from strings that YAML
 * reads as numbers, booleans, null or odd text, so some texts are invalid YAML.
 */
export const randomLayout = (random: PCGRandom): string => {
  const specials = ["true", "False", "null", "~", "0", "012", "0o17", "0x1F", "-5", "1.50", "1e3", ".inf", ".NaN", "yes"]
  const word = () => {
    const from = chance(random, 0.7) ? plainFragments : fragments
    let text = ""
    for (let n = 1 + random.integer(5); n > 0; n--) text += pick(random, from)
    return text
  }
  const scalar = (): string => {
    const raw = chance(random, 0.3) ? pick(random, specials) : word()
    switch (random.integer(5)) {
      case 0:
        return `"${raw.replaceAll("\\", "\\\\").replaceAll("\"", "\\\"")}"`
      case 1:
        return `'${raw.replaceAll("'", "''")}'`
      case 2:
        return JSON.stringify(raw)
      default:
        return raw
    }
  }
  const spaces = () => (chance(random, 0.8) ? "" : " ".repeat(1 + random.integer(3)))
  const comment = () => (chance(random, 0.85) ? "" : ` ${spaces()}# ${word()}`)
  const key = () => (chance(random, 0.7) ? pick(random, ["name", "uid", "extRef", "notes", "children", "status"]) : scalar())
  const flow = () => {
    const items = Array.from({ length: random.integer(4) }, () => `${scalar()}${spaces()}`)
    return `[${spaces()}${items.join(chance(random, 0.8) ? ", " : ",")}]`
  }
  const value = () => (chance(random, 0.15) ? flow() : scalar())
  const trivia = (indent: number) => {
    let text = ""
    while (chance(random, 0.3)) {
      text += chance(random, 0.4)
        ? `${" ".repeat(random.integer(3))}\n`
        : `${" ".repeat(Math.max(0, indent + random.integer(7) - 3))}#${word()}\n`
    }
    return text
  }
  const mapping = (indent: number, depth: number, inline: boolean): string => {
    let text = ""
    for (let n = 1 + random.integer(4); n > 0; n--) {
      const pad = inline && text === "" ? "" : " ".repeat(indent)
      const head = `${pad}${key()}${chance(random, 0.05) ? " " : ""}:`
      const roll = random.number()
      if (roll < 0.3 && depth < 6) {
        text += `${head}${comment()}\n${trivia(indent)}${sequence(indent + pick(random, [0, 1, 2, 2, 4]), depth + 1)}`
      } else if (roll < 0.37 && depth < 6) {
        text += `${head}${comment()}\n${trivia(indent)}${mapping(indent + 1 + random.integer(3), depth + 1, false)}`
      } else {
        text += `${head} ${spaces()}${value()}${spaces()}${comment()}\n${trivia(indent)}`
      }
    }
    return text
  }
  const sequence = (indent: number, depth: number): string => {
    let text = ""
    for (let n = 1 + random.integer(4); n > 0; n--) {
      const gap = " ".repeat(chance(random, 0.8) ? 1 : 1 + random.integer(3))
      text += chance(random, 0.7) && depth < 6
        ? `${" ".repeat(indent)}-${gap}${mapping(indent + 1 + gap.length, depth + 1, true)}`
        : `${" ".repeat(indent)}-${gap}${value()}${spaces()}${comment()}\n${trivia(indent)}`
    }
    return text
  }
  const text = `${trivia(0)}${chance(random, 0.15) ? `---${comment()}\n${trivia(0)}` : ""}${mapping(0, 0, false)}`
  return chance(random, 0.2) ? text.trimEnd() : text
}

/** `text` with one random edit that may well break it. */
export const mutate = (random: PCGRandom, text: string): string => {
  const at = random.integer(text.length)
  const insert = pick(random, ["\t", " ", "\n", ":", "- ", "#", "&a ", "*a", "!t ", "? ", "|\n", "'", "\"", "[", "{", "---\n", "...\n", "\r"])
  return text.slice(0, at) + insert + text.slice(at + random.integer(3))
}

/**
 * A random desired file, laid out as people write them: settings, orgs with their fields in any order and any
 * quoting, `previously` as a flow or block sequence, children at their key's column or further in or `[]`,
 * comments and blank lines. Now and then an entry has a problem (an unknown or repeated key, no name, a bad
 * value), which the fast path must leave to the document.
 */
export const randomDesired = (random: PCGRandom): string => {
  const names = ["Sales", "R&D", "Team 7", "Zürich", "東京 office", "a # b", "x: y", "- dash", "true", "null", "007", "  Ops  "]
  const quote = (text: string) =>
    pick(random, [JSON.stringify(text), `'${text.replaceAll("'", "''")}'`, /^[A-Za-z][A-Za-z0-9 &]*$/.test(text) ? text : JSON.stringify(text)])
  const comment = () => (chance(random, 0.9) ? "" : ` # ${pick(random, names)}`)
  const trivia = (indent: number) => (chance(random, 0.9) ? "" : chance(random, 0.5) ? "\n" : `${" ".repeat(indent)}# note\n`)
  let uid = 1_000
  const org = (indent: number, depth: number, siblings: number): string => {
    const fields: Array<(pad: string) => string> = [
      () => `name: ${chance(random, 0.005) ? "42" : quote(`${pick(random, names)} ${depth}-${siblings}`)}`,
      ...(chance(random, 0.5) ? [() => `uid: "${uid++}"`] : []),
      ...(chance(random, 0.4) ? [() => `extRef: ${pick(random, ["null", "~", quote("EXT-1"), "E 2"])}`] : []),
      ...(chance(random, 0.3) ? [() => `notes: ${quote("Cost centre #4")}`] : []),
      ...(chance(random, 0.2) ? [() => `status: ${chance(random, 0.02) ? "paused" : pick(random, ["blocked", "deactivated", "'active'"])}`] : []),
      ...(chance(random, 0.1) ? [() => `protect: ${chance(random, 0.05) ? "yes" : pick(random, ["true", "false"])}`] : []),
      ...(chance(random, 0.2)
        ? [(pad: string) =>
          chance(random, 0.5)
            ? `previously: [${quote("Old name")}${chance(random, 0.5) ? `, ${quote("Older")}` : ""}]`
            : `previously:\n${pad}${chance(random, 0.5) ? "" : "  "}- ${quote("Old name")}`]
        : []),
      ...(chance(random, 0.01) ? [() => pick(random, ["colour: red", "name: Again", "children: Sales"])] : []),
      ...(depth < 4 && chance(random, 0.5)
        ? [(pad: string) => {
          if (chance(random, 0.1)) return "children: []"
          const at = pad.length + pick(random, [0, 2])
          const count = 1 + random.integer(3)
          return `children:${comment()}\n${Array.from({ length: count }, (_, n) => org(at, depth + 1, n)).join("")}`
            .replace(/\n$/, "")
        }]
        : [])
    ]
    if (chance(random, 0.005)) fields.shift()
    for (let n = fields.length - 1; n > 0; n--) {
      const m = random.integer(n + 1)
      ;[fields[n], fields[m]] = [fields[m]!, fields[n]!]
    }
    const gap = " ".repeat(pick(random, [1, 1, 1, 3]))
    const pad = " ".repeat(indent + 1 + gap.length)
    return fields.map((field, n) => `${n === 0 ? `${" ".repeat(indent)}-${gap}` : pad}${field(pad)}${comment()}\n${trivia(indent)}`)
      .join("")
  }
  const settings = [
    ...(chance(random, 0.5) ? [`root: ${chance(random, 0.05) ? "1007759454961904673" : pick(random, ['"1007759454961904673"', "'42'"])}`] : []),
    ...(chance(random, 0.2) ? [`prune: ${chance(random, 0.05) ? "never" : pick(random, ["report", "deactivate"])}`] : []),
    ...(chance(random, 0.1) ? ["parent: Engineering/Platform"] : [])
  ].map((line) => `${line}${comment()}\n`)
  const orgs = chance(random, 0.05)
    ? "orgs: []\n"
    : `orgs:\n${Array.from({ length: 1 + random.integer(4) }, (_, n) => org(pick(random, [0, 2]), 1, n)).join("")}`
  const text = `${trivia(0)}${chance(random, 0.1) ? "---\n" : ""}${settings.join("")}${orgs}`
  return chance(random, 0.2) ? text.trimEnd() : text
}
