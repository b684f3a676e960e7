import { LocalDiscord, PERMISSION_VIEW_CHANNEL, type LocalDiscordOptions } from '../../src/playground/discord';
import type { World } from '../../src/playground/discord/world';

/**
 * Test tooling around the local Discord (which itself only plays Discord, for the playground and the tests):
 * a hidden channel for the visibility tests. The product never loads this file.
 */

/** Adds `secret`: hidden from @everyone, shown to alice by a member overwrite (the visibility tests' channel). */
export const addSecretChannel = (world: World): string =>
  world.addChannel('secret', [
    { id: world.guildId, type: 0, allow: '0', deny: String(PERMISSION_VIEW_CHANNEL) },
    { id: world.alice.id, type: 1, allow: String(PERMISSION_VIEW_CHANNEL), deny: '0' },
  ]);

/** The local Discord with the test tooling attached. */
export class TestDiscord extends LocalDiscord {
  /** A channel hidden from @everyone and shown to alice (see addSecretChannel). */
  readonly secretChannelId: string;

  constructor(options: LocalDiscordOptions = {}) {
    super(options);
    this.secretChannelId = addSecretChannel(this.world);
  }
}

export async function startTestDiscord(options: LocalDiscordOptions = {}): Promise<TestDiscord> {
  return new TestDiscord(options).listen();
}
