import assert from 'node:assert/strict';
import { encodePng } from '../../src/simulator';
import type { LocalMessage } from '../../src/playground/discord';
import { buttonsOf, embedText, type TestWorld } from './harness';

/** Helpers shared by the end-to-end tests of the commands, modals, errors and providers (issue 3). */

/** A small real PNG; `seed` makes each one different. */
export const png = (seed: number): Buffer => encodePng(8, 8, Buffer.alloc(8 * 8 * 4, seed), 4);

/** Attaches a fresh PNG to the next command. */
export const image = (world: TestWorld, seed: number, name = `picture-${seed}.png`) =>
  world.discord.addAttachment(name, png(seed), 'image/png');

/** A finished card: "Done" with its buttons. */
export const isDone = (message: LocalMessage): boolean => /✅ Done/.test(embedText(message)) && message.components.length > 0;
/** A card that ended either way. */
export const hasEnded = (message: LocalMessage): boolean => /✅ Done|Failed|❌/.test(embedText(message));
/** A card whose task waits for a prompt (remix mode). */
export const waitsForPrompt = (message: LocalMessage): boolean => buttonsOf(message).some((b) => b.label === 'Edit prompt');

/** What a member reads on a button: its label, else its emoji. */
export const labelOf = (b: { label?: string; emoji?: { name?: string } }): string => b.label ?? b.emoji?.name ?? '';
export const labels = (message: LocalMessage): string[] => buttonsOf(message).map(labelOf);

/** The custom_id of the button a member would click by its label or emoji. */
export function buttonId(message: LocalMessage, label: string): string {
  const found = buttonsOf(message).find((b) => labelOf(b) === label);
  assert.ok(found?.custom_id, `no “${label}” button among ${JSON.stringify(labels(message))}`);
  return found.custom_id;
}

/** Bodies of the simulator requests whose path ends with `suffix`, in order. */
export const bodiesTo = (world: TestWorld, suffix: string): Array<Record<string, unknown>> =>
  world.sim.requests.filter((r) => r.path.endsWith(suffix)).map((r) => (r.body ?? {}) as Record<string, unknown>);

/** Waits until the simulator saw `count` requests to paths ending with `suffix`. */
export async function untilRequests(world: TestWorld, suffix: string, count: number, timeoutMs = 5_000): Promise<Array<Record<string, unknown>>> {
  return world.discord.waitFor(() => {
    const bodies = bodiesTo(world, suffix);
    return bodies.length >= count ? bodies : undefined;
  }, `${count} request(s) to …${suffix}`, timeoutMs);
}

/** The first text input of the modal a click opened (callback type 9). */
export function modalInput(callback: { type: number; data?: any }): { custom_id: string; value?: string; max_length?: number } {
  assert.equal(callback.type, 9, `expected a modal, got callback type ${callback.type}`);
  return callback.data.components[0].components[0];
}
