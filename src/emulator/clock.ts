// The emulator's clock. Tests move it forward to expire sessions and locators or to open
// getUpdated windows without waiting; every timestamp the org writes comes from here.

/** A wall clock with an adjustable offset. */
export class Clock {
  private offsetMs = 0;

  /** Milliseconds since the epoch, offset included. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds since the epoch; Salesforce stores system stamps to the second. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Moves the clock forward (or back, with a negative value) by `ms`. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** The current offset from real time, in milliseconds (persisted with the org: it is state the admin API sets). */
  offset(): number {
    return this.offsetMs;
  }

  /** Sets the offset from real time, e.g. to the value a persisted org was stopped with. */
  setOffset(ms: number): void {
    this.offsetMs = ms;
  }

  /** Resets the offset so the clock follows real time again. */
  reset(): void {
    this.offsetMs = 0;
  }
}
