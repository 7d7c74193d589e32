/**
 * How a text from a desired file or from Code42 is shown to a person, in the text and markdown plans, in warnings
 * and in validation messages alike: what a reader could not see (zero-width spaces and joiners, direction marks),
 * what passes for a space or breaks a line without being one (every space, line and paragraph separator but
 * U+0020: U+00A0, U+2028, U+2029, ...), what a terminal would act on (control characters, CR and LF included)
 * and unpaired surrogates are written `\u202E`, upper-case hex as JavaScript source writes it, and `\u{E0041}`
 * beyond U+FFFF, never sent as they are. The JSON plan keeps names as they are: programs read it, and its own
 * escapes are theirs to parse.
 */

const unprintable =
  /[\u0000-\u001f\u007f-\u009f]|\p{Default_Ignorable_Code_Point}|\p{Cs}|(?! )[\p{Zs}\p{Zl}\p{Zp}]/gu

const hex = (c: string): string => c.codePointAt(0)!.toString(16).toUpperCase()

/** `text` with every character a reader could not see, or a terminal would act on, escaped as `\uXXXX` or `\u{XXXXX}`. */
export const printable = (text: string): string =>
  text.replace(unprintable, (c) => c.length > 1 ? `\\u{${hex(c)}}` : `\\u${hex(c).padStart(4, "0")}`)

/**
 * `text` in double quotes, its `"` and `\` escaped, and nothing else: what is unprintable is left for `printable`,
 * so that a format can escape its own markup first (markdown doubles a backslash of the name, not of an escape).
 */
export const quote = (text: string): string => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`
