import type { MemberPrefs, Store } from '../store';

/** The store's key of a member's preferences: they are per server, as Midjourney's are per account. */
const keyOf = (guildId: string, userId: string) => `${guildId}:${userId}`;

/** What a member set in a server (empty when nothing). */
export async function prefsOf(store: Pick<Store, 'prefs'>, guildId: string, userId: string): Promise<MemberPrefs> {
  return (await store.prefs.get(keyOf(guildId, userId))) ?? {};
}

/** Changes a member's preferences and returns them; an empty result deletes the record. */
export async function updatePrefs(store: Pick<Store, 'prefs'>, guildId: string, userId: string, change: (prefs: MemberPrefs) => MemberPrefs): Promise<MemberPrefs> {
  const next = change(await prefsOf(store, guildId, userId));
  const kept = Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined && value !== '')) as MemberPrefs;
  if (Object.keys(kept).length === 0) await store.prefs.delete(keyOf(guildId, userId));
  else await store.prefs.set(keyOf(guildId, userId), kept);
  return kept;
}
