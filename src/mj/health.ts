import type { MjApiError } from './errors';

/** What an API looks like from here: answering, refusing new work (capacity, credit, key), or not answering. */
export type UpstreamState = 'up' | 'down' | 'refusing';

/** How long an API that refused or failed is skipped: doubling from the first to the last. */
const FIRST_COOLDOWN_MS = 30_000;
const LAST_COOLDOWN_MS = 10 * 60_000;

/** Failures that say the API will not take new work now, whatever is asked (capacity, credit, an expired key). */
const REFUSALS = /无可用的账号|no available account|quota_not_enough|insufficient|余额不足|额度不足|credit/i;

/**
 * What one failed submit says about its API: `refusing` (it answered that it takes no new work: code 3, a full
 * queue, 429, an exhausted quota, a key it no longer accepts), `down` (5xx, a connection that failed, an open
 * circuit), or nothing (a banned prompt, bad input: every API would answer the same, so it is not the API's state).
 */
export function verdictOf(error: MjApiError): Exclude<UpstreamState, 'up'> | undefined {
  switch (error.kind) {
    case 'unavailable':
      return 'down';
    case 'busy':
    case 'queue-full':
    case 'auth':
      return 'refusing';
    case 'not-found':
      // Code 3 at a submit: "no account instance available" (a follow-up's unknown task is not sent anywhere else).
      return 'refusing';
    case 'limit':
    case 'failure':
      return REFUSALS.test(error.description) ? 'refusing' : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether a failed submit surely created nothing at the API, so the same request may go to another one: the API
 * answered with a refusal (any answer below 500), or the request never left (a connection that was never made,
 * an open circuit). A timeout after the body was sent, or a 5xx, may have created the task: never sent again.
 */
export const surelyNotCreated = (error: MjApiError): boolean => error.notDelivered || (error.httpStatus !== undefined && error.httpStatus < 500);

/**
 * One API's health, as the bot has seen it. A failure sets it aside for a cool-down (30 s, doubling up to 10
 * minutes); once the cool-down is over, one request at a time may probe it; a success brings it back up.
 */
export class UpstreamHealth {
  state: UpstreamState = 'up';
  since: number;
  lastError = '';
  private cooldownMs = 0;
  private retryAt = 0;
  private probing = false;

  constructor(private readonly clock: () => number) {
    this.since = clock();
  }

  /** When it may be tried again (now when up). */
  get availableAt(): number {
    return this.state === 'up' ? 0 : this.retryAt;
  }

  /** Whether a request may go to it now: up, or its cool-down over and no probe on its way. */
  ready(): boolean {
    return this.state === 'up' || (!this.probing && this.clock() >= this.retryAt);
  }

  /** Takes its turn: when it is not up and its cool-down just ended, this request is its one probe. */
  take(): boolean {
    if (!this.ready()) return false;
    if (this.state !== 'up') this.probing = true;
    return true;
  }

  /** A probe came back with an answer that says nothing of its state (a banned prompt): the next may probe. */
  released(): void {
    this.probing = false;
  }

  /** Tries it outside its turn (every API is set aside, and this one's cool-down ends first). */
  force(): void {
    if (this.state !== 'up') this.probing = true;
  }

  /** It answered: up again. Returns whether its state changed. */
  succeeded(): boolean {
    this.probing = false;
    this.cooldownMs = 0;
    if (this.state === 'up') return false;
    this.state = 'up';
    this.since = this.clock();
    this.lastError = '';
    return true;
  }

  /** It refused or failed: set aside for a (longer) cool-down. Returns whether its state changed. */
  failed(state: Exclude<UpstreamState, 'up'>, reason: string): boolean {
    const now = this.clock();
    this.probing = false;
    this.cooldownMs = this.cooldownMs === 0 ? FIRST_COOLDOWN_MS : Math.min(this.cooldownMs * 2, LAST_COOLDOWN_MS);
    this.retryAt = now + this.cooldownMs;
    this.lastError = reason.slice(0, 300);
    if (this.state === state) return false;
    this.state = state;
    this.since = now;
    return true;
  }
}

/**
 * Smooth weighted round-robin (as nginx balances upstreams): every pick adds each candidate's weight to its
 * running score, takes the highest, and takes the total off the winner. Deterministic: weights 1:1 alternate,
 * 3:1 give a a a b per four, spread out rather than in runs.
 */
export class WeightedTurns {
  private readonly scores = new Map<string, number>();

  pick<T extends { name: string; weight: number }>(candidates: readonly T[]): T | undefined {
    let best: T | undefined;
    let total = 0;
    for (const candidate of candidates) {
      const score = (this.scores.get(candidate.name) ?? 0) + candidate.weight;
      this.scores.set(candidate.name, score);
      total += candidate.weight;
      if (!best || score > this.scores.get(best.name)!) best = candidate;
    }
    if (best) this.scores.set(best.name, this.scores.get(best.name)! - total);
    return best;
  }
}
