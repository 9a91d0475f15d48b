/**
 * Time, injectable: rates and durations are tested with a manual clock, never with sleeps. In
 * neither src/binding nor src/island: the binding (drag ticks, rescans) and the island (rates,
 * retries) take the same clock, and the binding depends on nothing above it.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}
