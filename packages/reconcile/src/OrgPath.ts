/**
 * Paths name an org by the slash-joined names from the managed root's children down, e.g.
 * `Engineering/Platform`. A `/` or `\` inside a name is escaped with `\` so that every path splits back
 * into the names it was joined from.
 */

const escape = (name: string): string => name.replace(/[\\/]/g, (c) => `\\${c}`)

/** Joins names into a path. */
export const join = (names: ReadonlyArray<string>): string => names.map(escape).join("/")

/** Appends one name to a parent path (`""` is the managed root). */
export const child = (parent: string, name: string): string =>
  parent === "" ? escape(name) : `${parent}/${escape(name)}`

/** Splits a path back into its names. */
export const split = (path: string): ReadonlyArray<string> => {
  if (path === "") return []
  const names: Array<string> = []
  let current = ""
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!
    if (c === "\\" && i + 1 < path.length) {
      current += path[++i]
    } else if (c === "/") {
      names.push(current)
      current = ""
    } else {
      current += c
    }
  }
  names.push(current)
  return names
}

/** The parent path (`""` for a child of the managed root). */
export const parent = (path: string): string => join(split(path).slice(0, -1))
