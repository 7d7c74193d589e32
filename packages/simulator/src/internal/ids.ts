/** The identifiers a simulated tenant hands out, drawn from its seeded random source so that runs repeat. */
import type { PCGRandom } from "effect/Utils"

const digits = "0123456789"
const hex = "0123456789abcdef"
const keyAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

const chars = (random: PCGRandom, alphabet: string, length: number): string => {
  let out = ""
  for (let i = 0; i < length; i++) out += alphabet[random.integer(alphabet.length)]
  return out
}

/** 19 digits, like the uids Code42 hands out, none of them `taken`. */
export const uid = (random: PCGRandom, taken: ReadonlyMap<string, unknown>): string => {
  let uid: string
  do uid = "1" + chars(random, digits, 18)
  while (taken.has(uid))
  return uid
}

/** A UUID-shaped string, so that guids can never be mistaken for uids. */
export const guid = (random: PCGRandom, taken: ReadonlyMap<string, unknown>): string => {
  let guid: string
  do guid = [8, 4, 4, 4, 12].map((length) => chars(random, hex, length)).join("-")
  while (taken.has(guid))
  return guid
}

export const registrationKey = (random: PCGRandom): string =>
  [0, 1, 2, 3].map(() => chars(random, keyAlphabet, 4)).join("-")
