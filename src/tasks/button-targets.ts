import { parseAction } from '../mj/actions';
import { buttonKey, type ButtonSlot } from '../render/button-rows';
import type { ButtonTarget, Store, TrackedTask } from '../store';

/**
 * What each button of a card stands for (Discord's custom_id is a short key, `mj:<taskId>:<n>`; Midjourney's
 * customId is longer). A final card keeps its buttons in its task's record (one write for all of them); where the
 * key cannot name the task (ids over 40 characters) or the card is drawn apart (/task), targets are saved one by
 * one, until `expiresAt`. Saved before the buttons are shown, so an instant click always finds its target.
 */
export async function saveButtonTargets(store: Store, record: TrackedTask, slots: ButtonSlot[], expiresAt: number, ttlMs: number): Promise<void> {
  await Promise.all(slots.map((slot) => store.buttons.set(slot.key, targetOf(record, slot, expiresAt), ttlMs)));
}

/** What a button of a task's card stands for, whether it is saved on its own or read from the task's record. */
const targetOf = (record: TrackedTask, slot: Pick<ButtonSlot, 'customId' | 'label'>, expiresAt: number | undefined): ButtonTarget => ({
  taskId: record.taskId,
  customId: slot.customId,
  action: parseAction(slot.customId),
  label: slot.label,
  ownerId: record.requesterId,
  guildId: record.message.guildId,
  ...(expiresAt === undefined ? {} : { expiresAt }),
});

/** Whether a final card's buttons can live in its record: the button keys name the task. */
export const slotsInRecord = (record: TrackedTask, slots: ButtonSlot[]): boolean =>
  slots.every((slot, index) => slot.key === buttonKey(record.taskId, index));

/** The target of a button key: saved on its own, or one of the buttons its task's record keeps. */
export async function findButtonTarget(store: Store, key: string): Promise<ButtonTarget | undefined> {
  const saved = await store.buttons.get(key);
  if (saved) return saved;
  const match = /^mj:(.+):(\d+)$/.exec(key);
  if (!match) return undefined;
  const record = await store.tasks.get(match[1]!);
  const slot = record?.buttonSlots?.[Number(match[2])];
  return record && slot ? targetOf(record, slot, record.expiresAt) : undefined;
}
