/**
 * The machine a benchmark ran on, for the header of its results: figures only mean something next to the
 * hardware and runtime that produced them.
 */
import * as os from "node:os"

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryBytes: number
  readonly node: string
  readonly platform: string
  /** The load average over 1, 5 and 15 minutes when the results were written: the machine may be shared. */
  readonly loadAverage: readonly [number, number, number]
}

export const current = (): Machine => {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? "unknown CPU",
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg() as unknown as readonly [number, number, number]
  }
}

export const describe = (machine: Machine): string =>
  `${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB memory, ` +
  `Node ${machine.node}, ${machine.platform}; load average ${machine.loadAverage.map((load) => load.toFixed(1)).join(", ")} ` +
  "(1, 5, 15 minutes) at the end of the run"
