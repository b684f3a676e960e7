import { listLock, type ListEntry, type ListName, type Store } from '../store';

/**
 * Entries a list keeps: the newest. A list is one store value rewritten whole at each change, so it must not grow
 * with a member's whole retention period (an admin has no daily limit).
 */
const MAX_ENTRIES = 1_000;

/** The store's key of a member's list: per server, as everything a member does is. */
const keyOf = (guildId: string, userId: string) => `${guildId}:${userId}`;

/**
 * A list per member and server (favourites, history) in the store, shared by the fleet: every change runs under
 * the list's fleet lock (the sweep takes the same one when it drops entries of deleted tasks).
 */
export class MemberLists {
  constructor(
    private readonly store: Store,
    private readonly list: ListName,
  ) {}

  /** The member's entries, oldest first (nothing when none). */
  async entries(guildId: string, userId: string): Promise<ListEntry[]> {
    return (await this.store[this.list].get(keyOf(guildId, userId)))?.entries ?? [];
  }

  /** Adds entries (a task already listed moves to the end, the newest). */
  add(guildId: string, userId: string, added: readonly ListEntry[]): Promise<void> {
    const ids = new Set(added.map((entry) => entry.taskId));
    return this.change(guildId, userId, (entries) => [...entries.filter((entry) => !ids.has(entry.taskId)), ...added].slice(-MAX_ENTRIES));
  }

  remove(guildId: string, userId: string, taskId: string): Promise<void> {
    return this.change(guildId, userId, (entries) => entries.filter((entry) => entry.taskId !== taskId));
  }

  private change(guildId: string, userId: string, next: (entries: ListEntry[]) => ListEntry[]): Promise<void> {
    const key = keyOf(guildId, userId);
    const keyv = this.store[this.list];
    return this.store.coordinator.locked(listLock(this.list, key), async () => {
      const entries = next((await keyv.get(key))?.entries ?? []);
      if (entries.length) await keyv.set(key, { entries });
      else await keyv.delete(key);
    });
  }
}
