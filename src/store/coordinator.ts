import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type Keyv from 'keyv';

/** What a process of the fleet tells the others (for /healthz). */
export interface ProcessInfo {
  processId: string;
  shards: number[];
  /** Tasks this process owns (polls and edits). */
  owned: number;
  at: number;
}

/**
 * What several bot processes on one store must agree on; one process alone (SQLite, memory) needs none of it,
 * and gets the local implementation below. With Redis (redis-coordinator.ts) every in-flight task has one owner
 * through a lease, locks and claims are atomic, and notifyHook hints reach the owner whichever process got them.
 */
export interface Coordinator {
  readonly processId: string;
  /** Whether other processes share it (Redis): then a task's lease can move to another process. */
  readonly shared: boolean;
  /** Renews this process's leases on `taskIds` and takes those nobody holds; resolves to the ids it holds now. */
  hold(taskIds: readonly string[], ttlMs: number): Promise<Set<string>>;
  /** Takes the in-flight tasks whose owner's lease ran out (a process died); resolves to their ids. */
  takeOrphans(ttlMs: number): Promise<string[]>;
  release(taskIds: readonly string[]): Promise<void>;
  /** The registry of tasks in flight, fleet-wide: what a restart resumes and a takeover adopts. */
  addInFlight(taskId: string): Promise<void>;
  removeInFlight(taskId: string): Promise<void>;
  inFlight(): Promise<string[]>;
  /** A member's tasks in flight, fleet-wide (their concurrency limit). */
  memberTask(guildId: string, userId: string, taskId: string, running: boolean): Promise<void>;
  memberTaskCount(guildId: string, userId: string): Promise<number>;
  /**
   * Task slots taken for submits still on their way (quotas), under `scope` (a member, a server), fleet-wide:
   * a slot counts until it is settled, or for `ttlMs` at most (its process died between the two).
   */
  reserve(scope: string, ticket: string, cost: number, ttlMs: number): Promise<void>;
  reserved(scope: string): Promise<number>;
  settle(scope: string, ticket: string): Promise<void>;
  /** Runs `work` alone among every process holding the same key. */
  locked<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Sets `key` for `ttlMs` unless it is set: true when this call set it (a double click loses). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  unclaim(key: string): Promise<void>;
  /** A notifyHook callback named this task: the process that owns it polls it now. */
  hint(taskId: string): Promise<void>;
  onHint(listener: (taskId: string) => void): void;
  /** This process's heartbeat, and the fleet's. */
  beat(info: Omit<ProcessInfo, 'processId' | 'at'>, ttlMs: number): Promise<void>;
  fleet(): Promise<ProcessInfo[]>;
  close(): Promise<void>;
}

export const newProcessId = (): string => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** Runs work one at a time per key, in this process. */
export class KeyedChain {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }
}

/**
 * One process alone: it owns every task, locks are in-process, hints go straight to its tracker. The in-flight
 * registry is one list in the store, written coalesced (a thousand tasks ending together cost two writes).
 */
export class LocalCoordinator implements Coordinator {
  readonly processId = newProcessId();
  readonly shared = false;
  private readonly chain = new KeyedChain();
  private readonly claims = new Map<string, number>();
  private readonly members = new Map<string, Set<string>>();
  private readonly reservations = new Map<string, Map<string, { cost: number; until: number }>>();
  private readonly listeners: Array<(taskId: string) => void> = [];
  private ids: Set<string> | undefined;
  private info: ProcessInfo | undefined;
  private write: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  constructor(
    private readonly registry: Keyv<string[]>,
    private readonly clock: () => number = Date.now,
  ) {}

  async hold(taskIds: readonly string[]): Promise<Set<string>> {
    return new Set(taskIds);
  }

  async takeOrphans(): Promise<string[]> {
    return [];
  }

  async release(): Promise<void> {}

  private async loaded(): Promise<Set<string>> {
    this.ids ??= new Set((await this.registry.get('ids')) ?? []);
    return this.ids;
  }

  /** Resolves once a write that includes the caller's change is done. */
  private save(): Promise<void> {
    if (this.queued) return this.queued;
    const write = this.write.then(async () => {
      this.queued = undefined;
      await this.registry.set('ids', [...(await this.loaded())]);
    });
    this.queued = write;
    this.write = write.catch(() => undefined);
    return write;
  }

  async addInFlight(taskId: string): Promise<void> {
    (await this.loaded()).add(taskId);
    await this.save();
  }

  async removeInFlight(taskId: string): Promise<void> {
    (await this.loaded()).delete(taskId);
    await this.save();
  }

  async inFlight(): Promise<string[]> {
    return [...(await this.loaded())];
  }

  async memberTask(guildId: string, userId: string, taskId: string, running: boolean): Promise<void> {
    const key = `${guildId}:${userId}`;
    const set = this.members.get(key) ?? new Set<string>();
    if (running) set.add(taskId);
    else set.delete(taskId);
    if (set.size) this.members.set(key, set);
    else this.members.delete(key);
  }

  async memberTaskCount(guildId: string, userId: string): Promise<number> {
    return this.members.get(`${guildId}:${userId}`)?.size ?? 0;
  }

  async reserve(scope: string, ticket: string, cost: number, ttlMs: number): Promise<void> {
    const held = this.reservations.get(scope) ?? new Map<string, { cost: number; until: number }>();
    held.set(ticket, { cost, until: this.clock() + ttlMs });
    this.reservations.set(scope, held);
  }

  async reserved(scope: string): Promise<number> {
    const held = this.reservations.get(scope);
    if (!held) return 0;
    const now = this.clock();
    let sum = 0;
    for (const [ticket, { cost, until }] of held) {
      if (until <= now) held.delete(ticket);
      else sum += cost;
    }
    if (held.size === 0) this.reservations.delete(scope);
    return sum;
  }

  async settle(scope: string, ticket: string): Promise<void> {
    const held = this.reservations.get(scope);
    held?.delete(ticket);
    if (held?.size === 0) this.reservations.delete(scope);
  }

  locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.chain.run(key, work);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const now = this.clock();
    for (const [held, until] of this.claims) if (until <= now) this.claims.delete(held);
    if (this.claims.has(key)) return false;
    this.claims.set(key, now + ttlMs);
    return true;
  }

  async unclaim(key: string): Promise<void> {
    this.claims.delete(key);
  }

  async hint(taskId: string): Promise<void> {
    for (const listener of this.listeners) listener(taskId);
  }

  onHint(listener: (taskId: string) => void): void {
    this.listeners.push(listener);
  }

  async beat(info: Omit<ProcessInfo, 'processId' | 'at'>): Promise<void> {
    this.info = { ...info, processId: this.processId, at: this.clock() };
  }

  async fleet(): Promise<ProcessInfo[]> {
    return this.info ? [this.info] : [];
  }

  async close(): Promise<void> {
    await this.write;
  }
}
