import { UserError } from '../errors';
import type { Submitted } from './client';
import type { MjClient } from './client';
import { isMjApiError, type MjApiError } from './errors';
import { surelyNotCreated, UpstreamHealth, verdictOf, WeightedTurns, type UpstreamState } from './health';
import type { Mode } from './modes';
import type { ProviderPreset } from './providers';

/** The API `MJ_API_URL` configures, and the one records from before several APIs belong to. */
export const DEFAULT_UPSTREAM = 'default';

/** One API the bot may use: its client, its preset, how much of the new work it takes, and its health. */
export interface Upstream {
  readonly name: string;
  readonly weight: number;
  /** The speed modes new tasks may use it for. */
  readonly modes: readonly Mode[];
  readonly provider: ProviderPreset;
  readonly client: MjClient;
  readonly health: UpstreamHealth;
  /** Where this API should call back (its name in the path), or undefined (no PUBLIC_URL, or it never calls back). */
  readonly notifyUrl: string | undefined;
}

/** A task as the API knows it: which API, and that API's own id. */
export interface TaskRef {
  upstream: Upstream;
  id: string;
}

/**
 * The APIs behind the bot. New tasks are spread over those that are up and serve the task's speed mode by smooth
 * weighted round-robin; a refusal that surely created nothing (health.ts) sets that API aside for a cool-down and
 * sends the same request to the next one at once. A follow-up (a button, a form, Seed, polls) goes only to the API
 * that made its task. A task's key in the store is its API's id, prefixed by the API's name for every API but the
 * `default` one (or, when none is named so, the first), whose keys stay the bare ids records always had: ids of
 * two APIs may collide, keys may not.
 */
export class Upstreams {
  private readonly byName = new Map<string, Upstream>();
  private readonly turns = new WeightedTurns();
  /** Whose keys are bare ids. */
  private readonly legacy: Upstream;

  constructor(
    readonly all: readonly Upstream[],
    /** An API's state changed (up, down, refusing): the log and the alert channel hear of it. */
    private readonly changed: (upstream: Upstream) => void = () => undefined,
  ) {
    if (all.length === 0) throw new Error('no API configured');
    for (const upstream of all) this.byName.set(upstream.name, upstream);
    this.legacy = this.byName.get(DEFAULT_UPSTREAM) ?? all[0]!;
  }

  /** The speed modes new tasks may ask for: those any API serves. */
  get modes(): Mode[] {
    return [...new Set(this.all.flatMap((upstream) => upstream.modes))];
  }

  /** The longest prompt every API takes (a new task may go to any of them). */
  get maxPromptLength(): number {
    return Math.min(...this.all.map((upstream) => upstream.provider.maxPromptLength));
  }

  /** Whether any API is up (the bot is healthy while one is). */
  get anyUp(): boolean {
    return this.all.some((upstream) => upstream.health.state === 'up');
  }

  /** An API by name; records without one belong to the default API. */
  get(name: string | undefined): Upstream | undefined {
    return name === undefined ? this.legacy : this.byName.get(name);
  }

  /** The store's key of a task of `upstream`. */
  key(upstream: Upstream, id: string): string {
    return upstream === this.legacy ? id : `${upstream.name}:${id}`;
  }

  /** The API and its id behind a task key. */
  ref(key: string): TaskRef {
    const colon = key.indexOf(':');
    const named = colon > 0 ? this.byName.get(key.slice(0, colon)) : undefined;
    return named && named !== this.legacy ? { upstream: named, id: key.slice(colon + 1) } : { upstream: this.legacy, id: key };
  }

  /**
   * Starts a new task: on an API that serves `mode` (any, when no mode is asked), the up ones in weighted turns and
   * any whose cool-down just ended (as its one probe); when none of them takes it, the others, the one whose
   * cool-down ends first first. A refusal that surely created nothing goes on to the next API; anything else (a
   * banned prompt, bad input, an answer that may have created the task) is thrown as it is, to no other API.
   */
  async submitNew(mode: Mode | undefined, send: (upstream: Upstream) => Promise<Submitted>): Promise<{ upstream: Upstream; submitted: Submitted }> {
    const serving = this.all.filter((upstream) => !mode || upstream.modes.includes(mode));
    const tried = new Set<Upstream>();
    let last: MjApiError | undefined;
    for (let attempt = 0; attempt < serving.length; attempt += 1) {
      const next = this.nextFor(serving, tried);
      if (!next) break;
      tried.add(next);
      try {
        const submitted = await send(next);
        this.answered(next);
        return { upstream: next, submitted };
      } catch (error) {
        if (!isMjApiError(error)) throw error;
        const verdict = this.failed(next, error);
        if (!verdict || !surelyNotCreated(error)) throw error;
        last = error;
      }
    }
    if (last) throw last;
    throw new UserError((t) => t.input.modeNotOffered(mode ?? 'fast', this.modes), 'no API serves this mode');
  }

  /** The API a new task tries next, marked as probed when it is not up. */
  private nextFor(serving: readonly Upstream[], tried: ReadonlySet<Upstream>): Upstream | undefined {
    const left = serving.filter((upstream) => !tried.has(upstream));
    const ready = left.filter((upstream) => upstream.health.ready());
    const picked = this.turns.pick(ready);
    if (picked) {
      picked.health.take();
      return picked;
    }
    const soonest = [...left].sort((a, b) => a.health.availableAt - b.health.availableAt)[0];
    soonest?.health.force();
    return soonest;
  }

  /**
   * A follow-up of a task (a button, a form, Seed, the region editor): to its own API only. While that API is down
   * in its cool-down the member is told so and nothing is sent anywhere.
   */
  async followUp<T>(key: string, send: (ref: TaskRef) => Promise<T>): Promise<T> {
    const ref = this.ref(key);
    const { health } = ref.upstream;
    if (health.state === 'down' && !health.ready()) throw new UserError((t) => t.mj.upstreamDown, `API ${ref.upstream.name} is down`);
    if (health.state !== 'up') health.take();
    try {
      const result = await send(ref);
      this.answered(ref.upstream);
      return result;
    } catch (error) {
      if (isMjApiError(error)) this.failed(ref.upstream, error);
      else health.released();
      throw error;
    }
  }

  /**
   * A round of polls of `upstream`: answered (`failure` undefined), or not at all. Polls tell when an API that was
   * down answers again, and when it stops; a refusing API that still answers polls stays refusing new work.
   */
  polled(upstream: Upstream, failure?: string): void {
    if (failure === undefined) {
      if (upstream.health.state === 'down' && upstream.health.succeeded()) this.changed(upstream);
    } else if (upstream.health.state === 'up' && upstream.health.failed('down', failure)) {
      this.changed(upstream);
    }
  }

  /** The API answered what was asked. */
  private answered(upstream: Upstream): void {
    if (upstream.health.succeeded()) this.changed(upstream);
  }

  /** What a failure says about its API (set aside, or not its fault); resolves to the verdict. */
  private failed(upstream: Upstream, error: MjApiError): Exclude<UpstreamState, 'up'> | undefined {
    const verdict = verdictOf(error);
    if (!verdict) {
      // It answered (a banned prompt, bad input): alive, whatever it thinks of this request.
      if (upstream.health.state === 'down') this.answered(upstream);
      else upstream.health.released();
      return undefined;
    }
    if (upstream.health.failed(verdict, error.description || error.message)) this.changed(upstream);
    return verdict;
  }
}
