/**
 * Two-factor codes computed from the account's authenticator secret (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
 * steps), so that a long-running client signs in again, code and all, without a person at hand. The secret
 * stays `Redacted`; only the code, a different one every 30 seconds, travels.
 */
import { Clock, Effect, Either, Redacted } from "effect"
import * as OTPAuth from "otpauth"

/** The code an authenticator app shows at `atMillis`. */
const codeAt = (secret: OTPAuth.Secret, atMillis: number): string =>
  OTPAuth.TOTP.generate({ secret, algorithm: "SHA1", digits: 6, period: 30, timestamp: atMillis })

/** 80 bits, the shortest secret authenticator apps issue (16 base32 characters); RFC 4226 asks for 128 or more. */
const minimumBytes = 10

/**
 * The source of the current code for a base32 secret (case, spaces and padding ignored, as authenticator apps
 * do), or why the secret is not one. The reason never quotes the secret.
 */
export const fromSecret = (secret: Redacted.Redacted): Either.Either<Effect.Effect<Redacted.Redacted>, string> => {
  const text = Redacted.value(secret).replace(/[\s=-]/g, "").toUpperCase()
  if (text === "") return Either.left("is empty")
  let key: OTPAuth.Secret
  try {
    key = OTPAuth.Secret.fromBase32(text)
  } catch {
    return Either.left("is not a base32 secret (letters A to Z and digits 2 to 7)")
  }
  if (key.bytes.length < minimumBytes) {
    return Either.left(
      `is too short for an authenticator secret (${text.length} base32 characters; they have at least 16)`
    )
  }
  return Either.right(Effect.map(Clock.currentTimeMillis, (now) => Redacted.make(codeAt(key, now))))
}
