
/**
 * At most `limit` starts per `windowMs` (a sliding window), shared by every caller. On wall time, not the tasks'
 * injected clock: it paces requests to Discord, whose limits run on real seconds, and it waits with setTimeout,
 * which a test clock moved forward does not shorten (a clock that jumped would let a burst through).
 */
export class RateGate {
  private readonly starts: number[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1_000,
  ) {}

  /** Resolves when one more request may start now. Callers are served in order. */
  take(): Promise<void> {
    const turn = this.chain.then(() => this.wait());
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  private async wait(): Promise<void> {
    for (let guard = 0; guard < 10_000; guard += 1) {
      const now = Date.now();
      while (this.starts.length && now - (this.starts[0] ?? 0) >= this.windowMs) this.starts.shift();
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      const wait = Math.max(1, this.windowMs - (now - (this.starts[0] ?? now)) + 1);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
