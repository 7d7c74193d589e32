/**
 * The log of API requests the simulator answered, so tests can check what a client sent (and how often)
 * without a proxy. Bounded: a soak test must not grow it without end.
 */

export interface RequestLogEntry {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  /** The status answered; 0 when the connection was dropped instead. */
  readonly status: number
  /** When the request arrived, ISO-8601. */
  readonly time: string
}

export const defaultCapacity = 200_000

/** A ring buffer of the latest `capacity` entries. */
export class RequestLog {
  private readonly buffer: Array<RequestLogEntry> = []
  private next = 0

  constructor(private readonly capacity: number = defaultCapacity) {}

  add(entry: RequestLogEntry): void {
    if (this.buffer.length < this.capacity) {
      this.buffer.push(entry)
    } else {
      this.buffer[this.next] = entry
    }
    this.next = (this.next + 1) % this.capacity
  }

  /** The entries, oldest first. */
  entries(): ReadonlyArray<RequestLogEntry> {
    return this.buffer.length < this.capacity
      ? this.buffer.slice()
      : [...this.buffer.slice(this.next), ...this.buffer.slice(0, this.next)]
  }

  clear(): void {
    this.buffer.length = 0
    this.next = 0
  }
}
