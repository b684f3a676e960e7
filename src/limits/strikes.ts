import { UserError } from '../errors';
import type { Text } from '../i18n';
import { isBannedReason } from '../mj/translate';
import type { GuildSettings, ServerStrikes, Store, Strike, TrackedTask } from '../store';
import type { Member } from './ledger';
import type { ServerSettings } from './server-settings';

/**
 * Midjourney suspends an account that keeps sending banned prompts, and behind one bot every member shares that
 * account: three within a day lock the member who sent them, for a day, unless the server's admins say otherwise.
 */
const DEFAULT_STRIKES = { limit: 3, hours: 24 } as const;
const HOUR_MS = 3_600_000;

/** A server's rule: `limit` strikes within `hours` lock for `hours` (limit 0: strikes are off). */
export const strikeRules = (settings: Pick<GuildSettings, 'strikes'>): { limit: number; hours: number } => settings.strikes ?? DEFAULT_STRIKES;

/** Where a member stands: strikes within the window, and the end of their lock (undefined: not locked now). */
export interface StrikeStatus {
  count: number;
  limit: number;
  hours: number;
  lockedUntil: number | undefined;
}

/** A strike just counted: where the member stands now, and whether this one locked them. */
export interface StrikeOutcome extends StrikeStatus {
  lockedNow: boolean;
}

/** `<t:…:f> (<t:…:R>)`: when, as every reader's Discord shows it. */
export const discordTime = (at: number): string => `<t:${Math.floor(at / 1000)}:f> (<t:${Math.floor(at / 1000)}:R>)`;

/**
 * Strikes: a prompt the API refused as banned counts against the member who sent it, per server, in the store (the
 * fleet shares it, restarts keep it; a lock ends by itself). The server's banned words are refused before any call
 * and are not strikes. Admins are counted but never locked: the lock is only ever enforced on members who are not.
 */
export class Strikes {
  constructor(
    private readonly store: Store,
    private readonly settings: ServerSettings,
    private readonly clock: () => number,
  ) {}

  private locked<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    return this.store.coordinator.locked(`strikes:${guildId}`, work);
  }

  private async read(guildId: string): Promise<ServerStrikes> {
    return (await this.store.strikes.get(guildId)) ?? { members: {}, expiresAt: 0 };
  }

  /** A member's strikes within the window at `now` and their lock, if it still runs. */
  private standing(server: ServerStrikes, userId: string, rules: { limit: number; hours: number }, now: number): StrikeStatus {
    const entry = server.members[userId];
    const since = now - rules.hours * HOUR_MS;
    const count = entry?.strikes.filter((strike) => strike.at > since).length ?? 0;
    const lockedUntil = rules.limit > 0 && entry?.lockedUntil !== undefined && entry.lockedUntil > now ? entry.lockedUntil : undefined;
    return { count, limit: rules.limit, hours: rules.hours, lockedUntil };
  }

  /** Where a member stands now (/quota). */
  async status(guildId: string, userId: string): Promise<StrikeStatus> {
    const rules = strikeRules(await this.settings.get(guildId));
    return this.standing(await this.read(guildId), userId, rules, this.clock());
  }

  /** Every member of a server with a strike in the window or a lock (/admin usage), most strikes first. */
  async list(guildId: string): Promise<Array<{ userId: string } & StrikeStatus>> {
    const rules = strikeRules(await this.settings.get(guildId));
    const server = await this.read(guildId);
    const now = this.clock();
    return Object.keys(server.members)
      .map((userId) => ({ userId, ...this.standing(server, userId, rules, now) }))
      .filter((entry) => entry.count > 0 || entry.lockedUntil !== undefined)
      .sort((a, b) => b.count - a.count);
  }

  /** Refuses, privately and before anything is sent, a member who is locked (never an admin). */
  async check(member: Pick<Member, 'guildId' | 'userId' | 'admin'>): Promise<void> {
    if (member.admin) return;
    const { count, lockedUntil, hours } = await this.status(member.guildId, member.userId);
    if (lockedUntil === undefined) return;
    throw new UserError((t) => t.strikes.locked(discordTime(lockedUntil), count, hours), `locked until ${new Date(lockedUntil).toISOString()}`);
  }

  /**
   * Counts a strike (once per task: a task that ended FAILURE may be told again after a restart); locks the member
   * when it reaches the limit. Undefined when strikes are off or the task counted already.
   */
  strike(guildId: string, userId: string, taskId?: string): Promise<StrikeOutcome | undefined> {
    return this.locked(guildId, async () => {
      const rules = strikeRules(await this.settings.get(guildId));
      if (rules.limit === 0) return undefined;
      const server = await this.read(guildId);
      const now = this.clock();
      const since = now - rules.hours * HOUR_MS;
      const entry = server.members[userId] ?? { strikes: [] };
      if (taskId && entry.strikes.some((strike) => strike.taskId === taskId)) return undefined;
      const strikes: Strike[] = [...entry.strikes.filter((strike) => strike.at > since), { at: now, ...(taskId ? { taskId } : {}) }];
      const locks = strikes.length >= rules.limit;
      const lockedUntil = locks ? Math.max(entry.lockedUntil ?? 0, now + rules.hours * HOUR_MS) : entry.lockedUntil;
      const wasLocked = entry.lockedUntil !== undefined && entry.lockedUntil > now;
      server.members[userId] = { strikes, ...(lockedUntil !== undefined && lockedUntil > now ? { lockedUntil } : {}) };
      // Members whose strikes are all out of the window and whose lock is over no longer count: the record stays small.
      for (const [id, other] of Object.entries(server.members)) {
        if (!other.strikes.some((strike) => strike.at > since) && !(other.lockedUntil !== undefined && other.lockedUntil > now)) delete server.members[id];
      }
      server.expiresAt = Math.max(server.expiresAt, now + rules.hours * HOUR_MS, lockedUntil ?? 0);
      await this.store.strikes.set(guildId, server, server.expiresAt - now);
      return { ...this.standing(server, userId, rules, now), lockedNow: locks && !wasLocked };
    });
  }

  /**
   * A task reached its end: one the API failed for a banned prompt (its own reason, not the bot's: timed out,
   * vanished) is a strike for the member who started it, once.
   */
  async taskEnded(record: TrackedTask): Promise<void> {
    if (record.state.kind !== 'failed' || record.state.reason || !isBannedReason(record.view.failReason)) return;
    await this.strike(record.message.guildId, record.requesterId, record.taskId);
  }

  /** `/admin pardon`: a member's strikes and lock are gone; resolves to whether there was anything to clear. */
  pardon(guildId: string, userId: string): Promise<boolean> {
    return this.locked(guildId, async () => {
      const server = await this.read(guildId);
      if (!server.members[userId]) return false;
      delete server.members[userId];
      const ttl = server.expiresAt - this.clock();
      if (Object.keys(server.members).length === 0 || ttl <= 0) await this.store.strikes.delete(guildId);
      else await this.store.strikes.set(guildId, server, ttl);
      return true;
    });
  }
}

/** What the member who sent a banned prompt is told after the API's refusal: the strike, and the lock it earned. */
export function strikeNotice(outcome: StrikeOutcome | undefined, admin: boolean): Text {
  if (!outcome) return () => '';
  if (admin) return (t) => t.strikes.adminCounted(outcome.count);
  const { lockedUntil } = outcome;
  if (outcome.lockedNow && lockedUntil !== undefined) return (t) => t.strikes.lockedNow(outcome.count, discordTime(lockedUntil));
  return (t) => t.strikes.counted(outcome.count, outcome.limit, outcome.hours);
}
