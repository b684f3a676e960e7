/** Discord's rate limits as the local Discord enforces them: per-route buckets and a global per-bot budget. */
export interface RateLimitOptions {
  /** Requests per bucket per window (Discord: about 5 per 5 s for message routes). */
  routeLimit: number;
  routeWindowMs: number;
  /** Requests per second across all bot-token routes (Discord: 50). Interaction routes are exempt. */
  globalLimit: number;
  globalWindowMs: number;
}

export const DISCORD_LIMITS: RateLimitOptions = { routeLimit: 5, routeWindowMs: 5_000, globalLimit: 50, globalWindowMs: 1_000 };

interface Window {
  startedAt: number;
  count: number;
}

export type Verdict =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; global: boolean; retryAfterMs: number; headers: Record<string, string> };

export class RateLimiter {
  private readonly buckets = new Map<string, Window>();
  private global: Window = { startedAt: 0, count: 0 };

  constructor(private readonly options: RateLimitOptions | false) {}

  check(bucket: string, countsGlobally: boolean, now = Date.now()): Verdict {
    if (!this.options) return { ok: true, headers: {} };
    const { routeLimit, routeWindowMs, globalLimit, globalWindowMs } = this.options;
    if (countsGlobally) {
      if (now - this.global.startedAt >= globalWindowMs) this.global = { startedAt: now, count: 0 };
      if (this.global.count >= globalLimit) {
        const retryAfterMs = this.global.startedAt + globalWindowMs - now;
        return { ok: false, global: true, retryAfterMs, headers: { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' } };
      }
    }
    let window = this.buckets.get(bucket);
    if (!window || now - window.startedAt >= routeWindowMs) {
      window = { startedAt: now, count: 0 };
      this.buckets.set(bucket, window);
    }
    const resetAfterMs = window.startedAt + routeWindowMs - now;
    const headers = {
      'x-ratelimit-limit': String(routeLimit),
      'x-ratelimit-remaining': String(Math.max(0, routeLimit - window.count - 1)),
      'x-ratelimit-reset': ((now + resetAfterMs) / 1000).toFixed(3),
      'x-ratelimit-reset-after': (resetAfterMs / 1000).toFixed(3),
      'x-ratelimit-bucket': Buffer.from(bucket).toString('base64url').slice(0, 32),
    };
    if (window.count >= routeLimit) {
      return { ok: false, global: false, retryAfterMs: resetAfterMs, headers: { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-scope': 'user' } };
    }
    window.count += 1;
    if (countsGlobally) this.global.count += 1;
    return { ok: true, headers };
  }
}
