/**
 * @module ports/clock
 * Time, injected so that escrow timeouts and first-seen datetimes are testable.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told (tests, simulations). */
export class ManualClock implements Clock {
  constructor(private time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advance(milliseconds: number): void {
    this.time += milliseconds;
  }
}
