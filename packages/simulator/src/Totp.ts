/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226: HMAC-SHA1, 6 digits, 30-second steps), as the
 * authenticator apps of Code42 two-factor accounts compute them. The simulator checks `totp-auth` headers with
 * `verify`; tests and clients compute codes with `generate`.
 */
import { createHmac } from "node:crypto"

const stepMillis = 30_000
const digits = 6
const base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/** Decodes RFC 4648 base32, ignoring case, spaces and padding, as authenticator apps do. */
const decodeBase32 = (secret: string): Buffer => {
  const clean = secret.replace(/[\s=-]/g, "").toUpperCase()
  const bytes: Array<number> = []
  let buffer = 0
  let bits = 0
  for (const char of clean) {
    const value = base32Alphabet.indexOf(char)
    if (value === -1) {
      throw new Error(`Invalid base32 character "${char}" in TOTP secret`)
    }
    buffer = (buffer << 5) | value
    bits += 5
    if (bits >= 8) {
      bits -= 8
      bytes.push((buffer >>> bits) & 0xff)
    }
  }
  return Buffer.from(bytes)
}

const codeAtStep = (key: Buffer, step: number): string => {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const hmac = createHmac("sha1", key).update(counter).digest()
  const offset = hmac[hmac.length - 1]! & 0x0f
  const binary = (hmac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits
  return binary.toString().padStart(digits, "0")
}

/** The code an authenticator app shows at `atMillis` for a base32 secret. */
export const generate = (secretBase32: string, atMillis: number): string =>
  codeAtStep(decodeBase32(secretBase32), Math.floor(atMillis / stepMillis))

/**
 * Whether `code` is the code at `atMillis` or at the step just before or after it: clocks drift and a code
 * typed at the end of its step arrives in the next one.
 */
export const verify = (secretBase32: string, code: string, atMillis: number): boolean => {
  const key = decodeBase32(secretBase32)
  const step = Math.floor(atMillis / stepMillis)
  return [step - 1, step, step + 1].some((candidate) => candidate >= 0 && codeAtStep(key, candidate) === code.trim())
}

/** Whether a secret is valid base32, so a misconfigured account fails at start rather than at login. */
export const isValidSecret = (secretBase32: string): boolean => {
  try {
    return decodeBase32(secretBase32).length > 0
  } catch {
    return false
  }
}
