import { randomBytes } from 'node:crypto';
import type { Mode } from '../mj/modes';
import { UserError } from '../errors';
import type { Logger } from '../logger';
import { capMode, fasterMode } from '../mj/modes';
import type { CardState, DayCounter, GuildSettings, Store, TrackedTask } from '../store';
import type { Calendar } from './day';
import { guildLocked, type ServerSettings } from './server-settings';
import type { OpenedTask, UsageLog } from './usage-log';

/** A usage row's final status, as the API names it, from the card's final state. */
const FINAL_STATUS: Partial<Record<CardState['kind'], string>> = { done: 'SUCCESS', failed: 'FAILURE', cancelled: 'CANCEL' };

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

export interface LedgerOptions {
  store: Store;
  settings: ServerSettings;
  usage: UsageLog;
  calendar: Calendar;
  logger: Logger;
  clock: () => number;
  defaults: { daily: number; concurrent: number };
  /** Tasks of this member in this server that have not ended, fleet-wide. */
  inFlight(guildId: string, userId: string): Promise<number>;
  /** A limit refused a task (`budget spent`, `daily quota`, `daily 0`, `concurrency`). */
  refused?(limit: string): void;
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
  commit(tasks: readonly OpenedTask[]): Promise<void>;
  release(): Promise<void>;
}

/** Longest a submit may hold its slots (uploads, the API's answer, a retry) before they count as free again. */
const RESERVATION_MS = 5 * 60_000;

const memberScope = (member: Pick<Member, 'guildId' | 'userId'>) => `${member.guildId}:${member.userId}`;
const guildScope = (guildId: string) => guildId;

/** The limits that apply to a member: the most generous of each among @everyone (or the env default) and their roles. */
export function limitsFor(settings: GuildSettings, member: Pick<Member, 'guildId' | 'roleIds'>, defaults: LedgerOptions['defaults']): MemberLimits {
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
 * The quota ledger: what each member and server used today, the slots reserved for submits on their way, and the
 * refunds of tasks that failed. Every check-and-count runs under one lock per server (fleet-wide on Redis), so two
 * commands in the same millisecond cannot both take the last task of a quota. Reserved slots live in the store's
 * coordinator, so every process of a fleet counts them (a member's interactions reach one process, but the region
 * editor's submit may reach any). Settings and usage rows have homes of their own (settings.ts, usage-log.ts).
 */
export class QuotaLedger {
  constructor(private readonly options: LedgerOptions) {}

  private locked<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    return guildLocked(this.options.store, guildId, work);
  }

  private settings(guildId: string): Promise<GuildSettings> {
    return this.options.settings.get(guildId);
  }

  private today(): string {
    return this.options.calendar.dayOf(this.options.clock());
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
        resetsAt: this.options.calendar.nextDayStart(now),
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
    return this.take(member, cost).catch((error: unknown) => {
      // Which limit refused, for the metrics (the member hears the UserError itself).
      if (error instanceof UserError) this.options.refused?.(error.detail ?? 'limit');
      throw error;
    });
  }

  private take(member: Member, cost: number): Promise<Ticket> {
    return this.locked(member.guildId, async () => {
      const day = this.today();
      if (!member.admin) {
        const settings = await this.settings(member.guildId);
        const limits = limitsFor(settings, member, this.options.defaults);
        const resets = `<t:${Math.floor(this.options.calendar.nextDayStart(this.options.clock()) / 1000)}:R>`;
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
    /** The tasks are in the usage log and the day's counters: a commit tried again (the store was away) counts once. */
    let counted = false;
    const { coordinator } = this.options.store;
    const close = async () => {
      if (!open) return false;
      open = false;
      try {
        await coordinator.settle(memberScope(member), ticket);
        await coordinator.settle(guildScope(member.guildId), ticket);
      } catch (error) {
        // Still open: a commit tried again settles it (else the slots free themselves after RESERVATION_MS).
        open = true;
        throw error;
      }
      return true;
    };
    return {
      release: async () => void (await close()),
      commit: (tasks) =>
        this.locked(member.guildId, async () => {
          if (!open) return;
          if (!counted) {
            const expiresAt = await this.options.usage.open(member, day, tasks);
            await this.bump(`${member.guildId}:${day}:${member.userId}`, tasks.length, expiresAt);
            await this.bump(`${member.guildId}:${day}`, tasks.length, expiresAt);
            counted = true;
          }
          // Settled once counted: a reserve that takes the lock next counts it once.
          await close();
        }),
    };
  }

  /** Adds `delta` to a day counter (under the server's lock). */
  private async bump(key: string, delta: number, expiresAt: number): Promise<void> {
    const { counters } = this.options.store;
    const counter: DayCounter = (await counters.get(key)) ?? { n: 0, expiresAt };
    counter.n = Math.max(0, counter.n + delta);
    await counters.set(key, counter);
  }

  /**
   * A task ended: its usage row gets the final status, and a FAILURE or CANCEL is given back to the member's
   * and the server's day. Idempotent (it may run again for a task resumed after a restart).
   */
  async taskEnded(record: TrackedTask): Promise<void> {
    // The row is read once, under the lock of the server the task ran in (its usage row names the same server).
    await this.locked(record.message.guildId, async () => {
      // The card's final state: a task the bot gave up (timed out, vanished) failed, whatever the API last said.
      const ended = await this.options.usage.end(record.taskId, FINAL_STATUS[record.state.kind] ?? record.view.status);
      if (ended?.refunded) {
        await this.bump(`${ended.guildId}:${ended.day}:${ended.memberId}`, -1, ended.expiresAt);
        await this.bump(`${ended.guildId}:${ended.day}`, -1, ended.expiresAt);
      }
    });
  }
}
