/**
 * The credentials of a client, as a server could echo them back in an error (raw, form-encoded, or in the
 * Basic header it was sent), and their removal from the text of an answer before it becomes an error.
 */
import { Redacted } from "effect"
import type * as ClientConfig from "../ClientConfig.js"

/** The shortest secret worth looking for: shorter ones would blank out ordinary words. */
const shortest = 4

export const replacement = "<redacted>"

/** Every form in which a server may echo this client's secret, longest first. */
export const formsOf = (auth: ClientConfig.Auth): ReadonlyArray<string> => {
  const [user, secret] = auth._tag === "ApiClient"
    ? [auth.clientId, Redacted.value(auth.secret)]
    : [auth.username, Redacted.value(auth.password)]
  const forms = [
    secret,
    encodeURIComponent(secret),
    Buffer.from(`${user}:${secret}`).toString("base64"),
    Buffer.from(secret).toString("base64")
  ]
  return [...new Set(forms)].filter((form) => form.length >= shortest).sort((a, b) => b.length - a.length)
}

/** `text` with every form of the secret replaced. */
export const redact = (forms: ReadonlyArray<string>) => (text: string): string =>
  forms.reduce((out, form) => out.includes(form) ? out.split(form).join(replacement) : out, text)
