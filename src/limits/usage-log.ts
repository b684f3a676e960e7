import type { DayCounter, Store, UsageRow } from '../store';
import type { Calendar } from './day';

/** Usage rows are kept this long. */
const USAGE_DAYS = 90;
const DAY_MS = 86_400_000;
/** A server's list of the day's task ids is kept in chunks of this many, so no write grows with the day. */
const IDS_PER_CHUNK = 100;

/** A task the API accepted, as the ledger commits it. */
export interface OpenedTask {
  taskId: string;
  kind: string;
  mode: string;
  upstream?: string;
}

/**
 * Usage: one row per task the API accepted (who, where, what, when, how it ended), kept USAGE_DAYS, and per server
 * and day the list of its task ids, which /admin usage reads back. Callers hold the server's lock
 * (src/limits/server-settings.ts, guildLocked): the ledger opens rows when it commits and ends them when tasks end.
 */
export class UsageLog {
  constructor(
    private readonly store: Store,
    private readonly calendar: Calendar,
    private readonly clock: () => number,
  ) {}

  /** Writes the rows of tasks just accepted for `member` on `day`; resolves to when they expire. */
  async open(member: { guildId: string; channelId: string; userId: string; name: string }, day: string, tasks: readonly OpenedTask[]): Promise<number> {
    const at = this.clock();
    const expiresAt = at + USAGE_DAYS * DAY_MS;
    for (const task of tasks) {
      const row: UsageRow = {
        taskId: task.taskId,
        guildId: member.guildId,
        channelId: member.channelId,
        memberId: member.userId,
        memberName: member.name,
        kind: task.kind,
        mode: task.mode,
        at,
        day,
        status: 'RUNNING',
        refunded: false,
        expiresAt,
        ...(task.upstream ? { upstream: task.upstream } : {}),
      };
      await this.store.usage.set(task.taskId, row);
    }
    await this.listed(member.guildId, day, tasks.map((task) => task.taskId), expiresAt);
    return expiresAt;
  }

  /**
   * A task ended with `status`: its row says so. Resolves to the row when this call ended it (once: a task resumed
   * after a restart may end again), undefined otherwise.
   */
  async end(taskId: string, status: string): Promise<UsageRow | undefined> {
    const row = await this.store.usage.get(taskId);
    if (!row || row.status !== 'RUNNING') return undefined;
    row.status = status;
    row.refunded = status === 'FAILURE' || status === 'CANCEL';
    await this.store.usage.set(taskId, row);
    return row;
  }

  /** The rows of a server over its last `days` days (in the quota time zone), oldest first. */
  async rows(guildId: string, days: number): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    for (const day of this.calendar.lastDays(this.clock(), days).reverse()) {
      for (const taskId of await this.dayTaskIds(guildId, day)) {
        const row = await this.store.usage.get(taskId);
        if (row) rows.push(row);
      }
    }
    return rows.sort((a, b) => a.at - b.at);
  }

  /** Adds ids to the server's list of the day: the newest in the list itself, each full chunk moved to `key#n`. */
  private async listed(guildId: string, day: string, taskIds: readonly string[], expiresAt: number): Promise<void> {
    const { counters } = this.store;
    const key = listKey(guildId, day);
    const list: DayCounter = (await counters.get(key)) ?? { n: 0, expiresAt };
    list.taskIds = [...(list.taskIds ?? []), ...taskIds];
    list.n = list.taskIds.length;
    if (list.taskIds.length >= IDS_PER_CHUNK) {
      const chunk = list.chunks ?? 0;
      await counters.set(`${key}#${chunk}`, { n: list.taskIds.length, taskIds: list.taskIds, expiresAt: list.expiresAt });
      list.chunks = chunk + 1;
      list.taskIds = [];
      list.n = 0;
    }
    await counters.set(key, list);
  }

  /**
   * The ids of a server's tasks of one day, oldest first. Days counted before the list had a key of its own kept it
   * on the server's day counter (`guild:day`, src/limits/ledger.ts): those are read too.
   */
  private async dayTaskIds(guildId: string, day: string): Promise<string[]> {
    const ids: string[] = [];
    for (const key of [`${guildId}:${day}`, listKey(guildId, day)]) {
      const list = await this.store.counters.get(key);
      for (let chunk = 0; chunk < (list?.chunks ?? 0); chunk += 1) ids.push(...((await this.store.counters.get(`${key}#${chunk}`))?.taskIds ?? []));
      ids.push(...(list?.taskIds ?? []));
    }
    return ids;
  }
}

const listKey = (guildId: string, day: string) => `${guildId}:${day}:tasks`;
