import { describe, expect, it } from "@effect/vitest"
import { Totp } from "../src/index.js"

// RFC 6238 appendix B, SHA-1 key "12345678901234567890", last six of the eight digits.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

describe("Totp", () => {
  it("matches the RFC 6238 test vectors", () => {
    const vectors = [
      [59, "287082"],
      [1111111109, "081804"],
      [1111111111, "050471"],
      [1234567890, "005924"],
      [2000000000, "279037"],
      [20000000000, "353130"]
    ] as const
    for (const [seconds, code] of vectors) {
      expect([seconds, Totp.generate(rfcSecret, seconds * 1000)]).toEqual([seconds, code])
    }
  })

  it("ignores case, spaces and padding in secrets", () => {
    expect(Totp.generate("gezd gnbv gy3t qojq gezd gnbv gy3t qojq==", 59_000)).toBe("287082")
  })

  it("verifies the current step and one step either side", () => {
    const at = 1111111109_000
    expect(Totp.verify(rfcSecret, Totp.generate(rfcSecret, at), at)).toBe(true)
    expect(Totp.verify(rfcSecret, Totp.generate(rfcSecret, at - 30_000), at)).toBe(true)
    expect(Totp.verify(rfcSecret, Totp.generate(rfcSecret, at + 30_000), at)).toBe(true)
    expect(Totp.verify(rfcSecret, Totp.generate(rfcSecret, at + 60_000), at)).toBe(false)
    expect(Totp.verify(rfcSecret, "123456", at)).toBe(false)
  })

  it("tells valid secrets from invalid ones", () => {
    expect(Totp.isValidSecret(rfcSecret)).toBe(true)
    expect(Totp.isValidSecret("not base32!")).toBe(false)
    expect(Totp.isValidSecret("")).toBe(false)
  })
})
