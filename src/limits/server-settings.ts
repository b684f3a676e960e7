import type { GuildSettings, Store } from '../store';

/**
 * A server's settings are read several times per command (channels, words, language, limits): they are kept this
 * long in memory. Only /admin changes them, through `update`, which refreshes the copy here; in a fleet a server's
 * commands, /admin included, reach the process holding its shard, so another process's copy is at most this old
 * after shards move.
 */
const FRESH_MS = 5_000;
/** Servers whose copy is kept: a bot in more servers starts the copy again rather than sweep it per call. */
const KEPT = 1_000;

/** @internal */
export const emptySettings = (): GuildSettings => ({ limits: {}, modes: {}, budget: undefined, channels: [], words: [] });

/**
 * Runs `work` alone among everything touching one server's settings and counters, fleet-wide (a Redis lock in a
 * fleet): the settings store and the quota ledger (src/limits/ledger.ts) share it, so a check never sees half a change.
 */
export const guildLocked = <T>(store: Store, guildId: string, work: () => Promise<T>): Promise<T> =>
  store.coordinator.locked(`quota:${guildId}`, work);

/** What a server's admins set with /admin (limits, modes, budget, channels, banned words, language), per server. */
export class ServerSettings {
  private readonly known = new Map<string, { settings: GuildSettings; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  /** A server's settings, as read at most FRESH_MS ago (readers must not change what they get). */
  async get(guildId: string): Promise<GuildSettings> {
    const now = this.clock();
    const known = this.known.get(guildId);
    if (known && now - known.at < FRESH_MS && now >= known.at) return known.settings;
    const settings = await this.stored(guildId);
    this.remember(guildId, settings, now);
    return settings;
  }

  /** Changes a server's settings (under its lock, from the store, not the copy in memory) and returns them. */
  update(guildId: string, change: (settings: GuildSettings) => void): Promise<GuildSettings> {
    return guildLocked(this.store, guildId, async () => {
      const settings = await this.stored(guildId);
      change(settings);
      await this.store.settings.set(guildId, settings);
      this.remember(guildId, settings, this.clock());
      return settings;
    });
  }

  private async stored(guildId: string): Promise<GuildSettings> {
    return { ...emptySettings(), ...(await this.store.settings.get(guildId)) };
  }

  private remember(guildId: string, settings: GuildSettings, at: number): void {
    if (this.known.size >= KEPT && !this.known.has(guildId)) this.known.clear();
    this.known.set(guildId, { settings, at });
  }
}
