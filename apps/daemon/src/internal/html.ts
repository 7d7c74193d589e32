/**
 * Server-side HTML for the status pages: a tagged template that escapes every value it is given (only
 * `Html` passes as it is), and the small pieces the pages are made of.
 */

/** HTML that is already safe; anything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly value: string) {}
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" })[c]!)

const fragment = (value: unknown): string =>
  value instanceof Html
    ? value.value
    : Array.isArray(value)
    ? value.map(fragment).join("")
    : value === undefined || value === null || value === false
    ? ""
    : escape(String(value))

export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Html =>
  new Html(strings.reduce((out, text, i) => out + text + (i < values.length ? fragment(values[i]) : ""), ""))

/** How long before `now`, roughly, as a person says it. */
const ago = (at: string, now: string): string => {
  const seconds = Math.round((Date.parse(now) - Date.parse(at)) / 1000)
  if (seconds < 0) return `in ${ago(now, at)}`
  if (seconds < 90) return `${seconds} s`
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`
  return `${Math.round(seconds / 86400)} d`
}

/** An ISO time as a person reads it: `2025-03-01 10:00:02Z`. */
export const readable = (at: string): string => at.replace("T", " ").replace(/\.\d+Z$/, "Z")

export const time = (at: string | null, now: string): Html =>
  at === null
    ? html`<span class="muted">never</span>`
    : html`<time datetime="${at}" title="${at}">${readable(at)}</time> <span class="muted">(${
      Date.parse(at) > Date.parse(now) ? ago(at, now) : `${ago(at, now)} ago`
    })</span>`

/** A table in a box of its own that scrolls sideways on a narrow screen, so that the page never does. */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<unknown>>): Html =>
  html`<div class="scroll"><table><thead><tr>${headers.map((header) => html`<th>${header}</th>`)}</tr></thead><tbody>${
    rows.map((cells) => html`<tr>${cells.map((cell) => html`<td>${cell}</td>`)}</tr>`)
  }</tbody></table></div>`

export const card = (title: string, ...body: ReadonlyArray<unknown>): Html =>
  html`<div class="card"><h3>${title}</h3>${body}</div>`

export const codeList = (lines: ReadonlyArray<string>): Html =>
  html`<ul class="issues">${lines.map((line) => html`<li><code>${line}</code></li>`)}</ul>`

export const result = (text: string): Html => html`<strong class="result-${text}">${text}</strong>`
