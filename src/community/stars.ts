import { unexpired, type ListEntry, type StarRecord, type Store, type TrackedTask } from '../store';
import { MemberLists } from './member-lists';

/** A member's second click on ⭐ within this long is a double click: it counts once, whichever way the first went. */
const DOUBLE_CLICK_MS = 2_000;
/** A showcase post claimed by a process that died before posting it may be claimed again after this long. */
const POSTING_STALE_MS = 5 * 60_000;

/** What a click on ⭐ did. */
export interface StarToggle {
  /** The member stars the image now. */
  starred: boolean;
  /** Members who star it now. */
  count: number;
  /** A double click: nothing changed. */
  repeat: boolean;
}

/** Members who star an image. */
export const starCount = (record: StarRecord | undefined): number => (record ? Object.keys(record.by).length : 0);

/**
 * Stars of finished images and members' favourites, per server, in the store (shared by the fleet, kept as long as
 * the image's task). Every change of one image's stars runs under its fleet lock, so two members clicking at once
 * count two; a member's own clicks within DOUBLE_CLICK_MS count once. Starring reaches no API.
 */
export class Stars {
  readonly favorites: MemberLists;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    /** RETENTION_DAYS: how long a task still in tracking will be kept once it ends. */
    private readonly retentionMs: number,
  ) {
    this.favorites = new MemberLists(store, 'favorites');
  }

  /** The image's stars, unless its retention ended. */
  async get(taskId: string): Promise<StarRecord | undefined> {
    return unexpired(await this.store.stars.get(taskId), this.clock());
  }

  /** Stars or unstars `task`'s image for a member (the first click stars, the next unstars), and their favourites follow. */
  toggle(task: TrackedTask, userId: string): Promise<StarToggle> {
    return this.store.coordinator.locked(lockOf(task.taskId), async () => {
      const now = this.clock();
      const record: StarRecord = (await this.get(task.taskId)) ?? {
        taskId: task.taskId,
        guildId: task.message.guildId,
        by: {},
        clicked: {},
        expiresAt: task.expiresAt ?? now + this.retentionMs,
      };
      const last = record.clicked[userId];
      if (last !== undefined && now >= last && now - last < DOUBLE_CLICK_MS) {
        return { starred: userId in record.by, count: starCount(record), repeat: true };
      }
      record.clicked = Object.fromEntries(Object.entries(record.clicked).filter(([, at]) => now - at < DOUBLE_CLICK_MS));
      record.clicked[userId] = now;
      const starred = !(userId in record.by);
      if (starred) record.by[userId] = now;
      else delete record.by[userId];
      await this.save(record, now);
      // Under the image's lock: a member's star and unstar of one image reach their list in order.
      const { guildId } = record;
      if (starred) await this.favorites.add(guildId, userId, [{ taskId: task.taskId, at: now, expiresAt: record.expiresAt }]);
      else await this.favorites.remove(guildId, userId, task.taskId);
      return { starred, count: starCount(record), repeat: false };
    });
  }

  /** The member's favourites in a server that still exist, newest first. */
  async favoritesOf(guildId: string, userId: string): Promise<ListEntry[]> {
    const now = this.clock();
    return (await this.favorites.entries(guildId, userId)).filter((entry) => (entry.expiresAt ?? Infinity) > now).reverse();
  }

  /** Takes the image's one showcase post for this process (fleet-wide): false when it is posted, or being posted. */
  claimShowcase(taskId: string, channelId: string): Promise<boolean> {
    return this.change(taskId, (record, now) => {
      const { showcase } = record;
      if (showcase && !(showcase.state === 'posting' && now - showcase.at > POSTING_STALE_MS)) return false;
      record.showcase = { state: 'posting', channelId, at: now };
      return true;
    });
  }

  /** The claimed showcase post is out (`messageId`), or was not made (undefined: a later star may try again). */
  async showcased(taskId: string, channelId: string, messageId: string | undefined): Promise<void> {
    await this.change(taskId, (record, now) => {
      record.showcase = messageId ? { state: 'posted', channelId, messageId, at: now } : undefined;
      return true;
    });
  }

  /** Discord no longer has the showcase post: it is not edited again, nor posted again. */
  async showcaseGone(taskId: string): Promise<void> {
    await this.change(taskId, (record) => {
      if (record.showcase) record.showcase.state = 'gone';
      return true;
    });
  }

  /** Discord no longer lets the bot edit the card: its star updates stop. */
  async cardGone(taskId: string): Promise<void> {
    await this.change(taskId, (record) => (record.cardGone = true));
  }

  /** Changes an existing record under its lock; `change` says whether it changed anything (and what to resolve to). */
  private change(taskId: string, change: (record: StarRecord, now: number) => boolean): Promise<boolean> {
    return this.store.coordinator.locked(lockOf(taskId), async () => {
      const record = await this.get(taskId);
      const now = this.clock();
      if (!record || !change(record, now)) return false;
      await this.save(record, now);
      return true;
    });
  }

  /** Written with the task's remaining retention: Redis forgets it on its own, the sweep deletes it on SQLite. */
  private async save(record: StarRecord, now: number): Promise<void> {
    await this.store.stars.set(record.taskId, record, Math.max(1, record.expiresAt - now));
  }
}

const lockOf = (taskId: string) => `stars:${taskId}`;
