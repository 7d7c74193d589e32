/**
 * SIGINT and SIGTERM before the command line can take them. The executable loads the command line with a
 * dynamic import, which takes a while on a busy machine; a signal meanwhile would kill the process by the signal,
 * without a word and without the exit code of the contract. From the executable's first line, a signal is
 * remembered instead, until the command line's own handling is in place and takes it over.
 */
const signals = ["SIGINT", "SIGTERM"] as const

let received: NodeJS.Signals | undefined

const remember = (signal: NodeJS.Signals) => {
  received ??= signal
}

/** From now on, the first SIGINT or SIGTERM is remembered instead of ending the process. */
export const listen = (): void => {
  for (const signal of signals) process.on(signal, remember)
}

/**
 * Stops remembering, once the command line's own handlers listen (so that no moment is without a handler);
 * answers the signal that came meanwhile, if one did.
 */
export const handOver = (): NodeJS.Signals | undefined => {
  for (const signal of signals) process.off(signal, remember)
  return received
}
