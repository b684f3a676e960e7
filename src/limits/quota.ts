import { randomBytes } from 'node:crypto';
import type { Mode } from '../mj/modes';
import { UserError } from '../errors';
import type { Logger } from '../logger';
import { capMode, fasterMode } from '../mj/modes';
import type { CardState, DayCounter, GuildSettings, Store, TrackedTask, UsageRow } from '../store';
import { Calendar } from './day';

/** Usage rows are kept this long (and counters a little past their day). */
const USAGE_DAYS = 90;
/** A usage row's final status, as the API names it, from the card's final state. */
const FINAL_STATUS: Partial<Record<CardState['kind'], string>> = { done: 'SUCCESS', failed: 'FAILURE', cancelled: 'CANCEL' };
const DAY_MS = 86_400_000;
/**
 * A server's settings are read several times per command (channels, words, language, limits): they are kept this
 * long in memory. Only /admin changes them, through updateSettings, which refreshes the copy here; in a fleet a
 * server's commands, /admin included, reach the process holding its shard, so another process's copy is at most
 * this old after shards move.
 */
const SETTINGS_FRESH_MS = 5_000;
/** The server's day counter lists its task ids (for /admin usage) in chunks of this many, so no write grows with the day. */
const IDS_PER_CHUNK = 100;

/** Who asks, as the limits see them (built from the interaction in src/discord/preconditions.ts). */
export interface Member {
  guildId: string;
  userId: string;
  name: string;
  channelId: string;
  /** Role ids, without @everyone (the guild id). */
  roleIds: readonly string[];
  /** Manage Server or Administrator: exempt from limits and budget, still counted. */
  admin: boolean;
}

export interface QuotaOptions {
  store: Store;
  logger: Logger;
  clock: () => number;
  timeZone: string;
  defaults: { daily: number; concurrent: number };
  /** Tasks of this member in this server that have not ended, fleet-wide. */
  inFlight(guildId: string, userId: string): Promise<number>;
}

/** What a member may do, from the most generous of their roles (and @everyone, the server's default). */
export interface MemberLimits {
  daily: number;
  concurrent: number;
  /** undefined: any mode the provider offers. */
  fastest: Mode | undefined;
}

/** The numbers `/quota` shows. */
export interface QuotaStatus extends MemberLimits {
  admin: boolean;
  usedToday: number;
  inFlight: number;
  budget: number | undefined;
  budgetUsed: number;
  resetsAt: number;
}

/**
 * Task slots taken before a submit: committed with the tasks the API accepted, or released. Every path that
 * takes one ends it either way (src/tasks/start.ts); one that a crash left open runs out after RESERVATION_MS.
 */
export interface Ticket {
  commit(tasks: Array<{ taskId: string; kind: string; mode: string }>): Promise<void>;
  release(): Promise<void>;
}

/** Longest a submit may hold its slots (uploads, the API's answer, a retry) before they count as free again. */
const RESERVATION_MS = 5 * 60_000;

const memberScope = (member: Pick<Member, 'guildId' | 'userId'>) => `${member.guildId}:${member.userId}`;
const guildScope = (guildId: string) => guildId;

export const emptySettings = (): GuildSettings => ({ limits: {}, modes: {}, budget: undefined, channels: [], words: [] });

/** The limits that apply to a member: the most generous of each among @everyone (or the env default) and their roles. */
export function limitsFor(settings: GuildSettings, member: Pick<Member, 'guildId' | 'roleIds'>, defaults: QuotaOptions['defaults']): MemberLimits {
  const everyone = settings.limits[member.guildId] ?? defaults;
  const roleLimits = member.roleIds.map((id) => settings.limits[id]).filter((limit) => limit !== undefined);
  const modes = [member.guildId, ...member.roleIds].map((id) => settings.modes[id]).filter((mode) => mode !== undefined);
  return {
    daily: Math.max(everyone.daily, ...roleLimits.map((l) => l.daily)),
    concurrent: Math.max(everyone.concurrent, ...roleLimits.map((l) => l.concurrent)),
    fastest: modes.length ? modes.reduce(fasterMode) : undefined,
  };
}

/**
 * Quotas, server budgets and usage. Every check-and-count runs under one lock per server (fleet-wide on Redis), so
 * two commands in the same millisecond cannot both take the last task of a quota. Slots taken but not yet
 * committed are reservations in the store's coordinator, so every process of a fleet counts them (a member's
 * interactions reach one process, but the region editor's submit may reach any).
 */
export class Quotas {
  private readonly calendar: Calendar;
  private readonly known = new Map<string, { settings: GuildSettings; at: number }>();

  constructor(private readonly options: QuotaOptions) {
    this.calendar = new Calendar(options.timeZone);
  }

  /** Runs `work` alone among everything else touching this server's counters and settings, fleet-wide. */
  private locked<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    return this.options.store.coordinator.locked(`quota:${guildId}`, work);
  }

  /** A server's settings, as read at most SETTINGS_FRESH_MS ago (readers must not change what they get). */
  async settings(guildId: string): Promise<GuildSettings> {
    const now = this.options.clock();
    const known = this.known.get(guildId);
    if (known && now - known.at < SETTINGS_FRESH_MS && now >= known.at) return known.settings;
    const settings = await this.storedSettings(guildId);
    this.remember(guildId, settings, now);
    return settings;
  }

  private async storedSettings(guildId: string): Promise<GuildSettings> {
    return { ...emptySettings(), ...(await this.options.store.settings.get(guildId)) };
  }

  private remember(guildId: string, settings: GuildSettings, at: number): void {
    // Bounded: it is only a copy, so a bot in more servers than this starts it again rather than sweep it per call.
    if (this.known.size >= 1000 && !this.known.has(guildId)) this.known.clear();
    this.known.set(guildId, { settings, at });
  }

  /** Changes a server's settings (under its lock, from the store, not the copy in memory) and returns them. */
  updateSettings(guildId: string, change: (settings: GuildSettings) => void): Promise<GuildSettings> {
    return this.locked(guildId, async () => {
      const settings = await this.storedSettings(guildId);
      change(settings);
      await this.options.store.settings.set(guildId, settings);
      this.remember(guildId, settings, this.options.clock());
      return settings;
    });
  }

  private today(): string {
    return this.calendar.dayOf(this.options.clock());
  }

  private async count(key: string): Promise<number> {
    return (await this.options.store.counters.get(key))?.n ?? 0;
  }

  private reserved(scope: string): Promise<number> {
    return this.options.store.coordinator.reserved(scope);
  }

  /** A member's tasks of the day, those whose submit is still on its way included (what /quota and reserve count). */
  private async memberUsed(member: Member, day: string): Promise<number> {
    return (await this.count(`${member.guildId}:${day}:${member.userId}`)) + (await this.reserved(memberScope(member)));
  }

  /** The server's tasks of the day, those whose submit is still on its way included. */
  private async serverUsed(guildId: string, day: string): Promise<number> {
    return (await this.count(`${guildId}:${day}`)) + (await this.reserved(guildScope(guildId)));
  }

  /**
   * What /quota shows, read under the server's lock (so never in the middle of a commit), counted as reserve()
   * counts it.
   */
  status(member: Member): Promise<QuotaStatus> {
    return this.locked(member.guildId, async () => {
      const settings = await this.settings(member.guildId);
      const day = this.today();
      const now = this.options.clock();
      return {
        ...limitsFor(settings, member, this.options.defaults),
        admin: member.admin,
        usedToday: await this.memberUsed(member, day),
        inFlight: await this.options.inFlight(member.guildId, member.userId),
        budget: settings.budget,
        budgetUsed: await this.serverUsed(member.guildId, day),
        resetsAt: this.calendar.nextDayStart(now),
      };
    });
  }

  /** The fastest mode a member's roles allow (undefined: any; admins are not capped). */
  async fastestFor(member: Member): Promise<Mode | undefined> {
    if (member.admin) return undefined;
    return limitsFor(await this.settings(member.guildId), member, this.options.defaults).fastest;
  }

  /** The mode a member's request runs at: their choice, no faster than their roles allow (admins: as asked). */
  async modeFor(member: Member, requested: Mode | undefined): Promise<{ mode: Mode | undefined; cappedFrom: Mode | undefined }> {
    if (!requested || member.admin) return { mode: requested, cappedFrom: undefined };
    const mode = capMode(requested, await this.fastestFor(member));
    return { mode, cappedFrom: mode === requested ? undefined : requested };
  }

  /**
   * Takes `cost` task slots for a member, or refuses with the limit, the numbers and when it resets.
   * Checks the server budget, the member's day and the member's tasks in flight together, atomically.
   */
  reserve(member: Member, cost: number): Promise<Ticket> {
    return this.locked(member.guildId, async () => {
      const day = this.today();
      if (!member.admin) {
        const settings = await this.settings(member.guildId);
        const limits = limitsFor(settings, member, this.options.defaults);
        const resets = `<t:${Math.floor(this.calendar.nextDayStart(this.options.clock()) / 1000)}:R>`;
        if (settings.budget !== undefined) {
          const used = await this.serverUsed(member.guildId, day);
          if (used + cost > settings.budget) {
            const budget = settings.budget;
            throw new UserError((t) => t.quota.budgetSpent(used, budget, resets), 'budget spent');
          }
        }
        if (limits.daily === 0) throw new UserError((t) => t.quota.noRole, 'daily 0');
        const usedToday = await this.memberUsed(member, day);
        if (usedToday + cost > limits.daily) {
          throw new UserError(
            (t) =>
              cost > 1 && usedToday < limits.daily
                ? t.quota.startsMore(cost, limits.daily - usedToday, limits.daily, resets)
                : t.quota.dailyUsed(limits.daily, usedToday, resets),
            'daily quota',
          );
        }
        const running = (await this.options.inFlight(member.guildId, member.userId)) + (await this.reserved(memberScope(member)));
        if (running + cost > limits.concurrent) {
          throw new UserError(
            (t) => (cost > 1 ? t.quota.tooManyAtOnce(cost, limits.concurrent, running) : t.quota.tooManyRunning(running, limits.concurrent)),
            'concurrency',
          );
        }
      }
      const ticket = randomBytes(9).toString('base64url');
      const { coordinator } = this.options.store;
      await coordinator.reserve(memberScope(member), ticket, cost, RESERVATION_MS);
      await coordinator.reserve(guildScope(member.guildId), ticket, cost, RESERVATION_MS);
      return this.ticket(member, ticket, day);
    });
  }

  private ticket(member: Member, ticket: string, day: string): Ticket {
    let open = true;
    const { coordinator } = this.options.store;
    const close = async () => {
      if (!open) return false;
      open = false;
      await coordinator.settle(memberScope(member), ticket);
      await coordinator.settle(guildScope(member.guildId), ticket);
      return true;
    };
    return {
      release: async () => void (await close()),
      commit: (tasks) =>
        this.locked(member.guildId, async () => {
          if (!open) return;
          try {
            const now = this.options.clock();
            const expiresAt = now + USAGE_DAYS * DAY_MS;
            for (const task of tasks) {
              const row: UsageRow = {
                taskId: task.taskId,
                guildId: member.guildId,
                channelId: member.channelId,
                memberId: member.userId,
                memberName: member.name,
                kind: task.kind,
                mode: task.mode,
                at: now,
                day,
                status: 'RUNNING',
                refunded: false,
                expiresAt,
              };
              await this.options.store.usage.set(task.taskId, row);
            }
            await this.bump(`${member.guildId}:${day}:${member.userId}`, tasks.length, expiresAt);
            await this.bump(`${member.guildId}:${day}`, tasks.length, expiresAt, tasks.map((t) => t.taskId));
          } finally {
            // Settled once counted (or once counting failed): a reserve that takes the lock next counts it once.
            await close();
          }
        }),
    };
  }

  /**
   * Adds `delta` to a day counter (under the server's lock). `taskIds` join the server's list of the day: the
   * newest in the counter itself, each full chunk of IDS_PER_CHUNK moved to its own key (`key#0`, `key#1`, …).
   */
  private async bump(key: string, delta: number, expiresAt: number, taskIds?: string[]): Promise<void> {
    const { counters } = this.options.store;
    const counter: DayCounter = (await counters.get(key)) ?? { n: 0, expiresAt };
    counter.n = Math.max(0, counter.n + delta);
    if (taskIds) {
      counter.taskIds = [...(counter.taskIds ?? []), ...taskIds];
      if (counter.taskIds.length >= IDS_PER_CHUNK) {
        const chunk = counter.chunks ?? 0;
        await counters.set(`${key}#${chunk}`, { n: counter.taskIds.length, taskIds: counter.taskIds, expiresAt: counter.expiresAt });
        counter.chunks = chunk + 1;
        counter.taskIds = [];
      }
    }
    await counters.set(key, counter);
  }

  /** The ids of a server's tasks of one day, oldest first. */
  private async dayTaskIds(guildId: string, day: string): Promise<string[]> {
    const key = `${guildId}:${day}`;
    const counter = await this.options.store.counters.get(key);
    const ids: string[] = [];
    for (let chunk = 0; chunk < (counter?.chunks ?? 0); chunk += 1) ids.push(...((await this.options.store.counters.get(`${key}#${chunk}`))?.taskIds ?? []));
    return [...ids, ...(counter?.taskIds ?? [])];
  }

  /**
   * A task ended: its usage row gets the final status, and a FAILURE or CANCEL is given back to the member's
   * and the server's day. Idempotent (it may run again for a task resumed after a restart).
   */
  async taskEnded(record: TrackedTask): Promise<void> {
    // The row is read once, under the lock of the server the task ran in (its usage row names the same server).
    await this.locked(record.message.guildId, async () => {
      const fresh = await this.options.store.usage.get(record.taskId);
      if (!fresh || fresh.status !== 'RUNNING') return;
      // The card's final state: a task the bot gave up (timed out, vanished) failed, whatever the API last said.
      fresh.status = FINAL_STATUS[record.state.kind] ?? record.view.status;
      fresh.refunded = fresh.status === 'FAILURE' || fresh.status === 'CANCEL';
      await this.options.store.usage.set(record.taskId, fresh);
      if (fresh.refunded) {
        await this.bump(`${fresh.guildId}:${fresh.day}:${fresh.memberId}`, -1, fresh.expiresAt);
        await this.bump(`${fresh.guildId}:${fresh.day}`, -1, fresh.expiresAt);
      }
    });
  }

  /** The usage rows of a server over its last `days` days (in QUOTA_TIMEZONE), oldest first. */
  async usage(guildId: string, days: number): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    for (const day of this.calendar.lastDays(this.options.clock(), days).reverse()) {
      for (const taskId of await this.dayTaskIds(guildId, day)) {
        const row = await this.options.store.usage.get(taskId);
        if (row) rows.push(row);
      }
    }
    return rows.sort((a, b) => a.at - b.at);
  }
}
