/**
 * How a text from a desired file or from Code42 is shown to a person, in the text and markdown plans, in warnings
 * and in validation messages alike: what a reader could not see (zero-width spaces and joiners, direction marks),
 * what a terminal would act on (control characters) and unpaired surrogates are written `\u202E`, upper-case hex
 * as JavaScript source writes it, and never sent as they are. The JSON plan keeps names as they are: programs
 * read it, and its own escapes are theirs to parse.
 */

const unprintable = /[\u0000-\u001f\u007f-\u009f]|\p{Default_Ignorable_Code_Point}|\p{Cs}/gu

/** `text` with every character a reader could not see, or a terminal would act on, escaped as `\uXXXX`. */
export const printable = (text: string): string =>
  text.replace(unprintable, (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`)

/**
 * `text` in double quotes, its `"` and `\` escaped, and nothing else: what is unprintable is left for `printable`,
 * so that a format can escape its own markup first (markdown doubles a backslash of the name, not of an escape).
 */
export const quote = (text: string): string => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`
