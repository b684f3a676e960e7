import { parseAction } from '../mj/actions';
import type { ButtonSlot } from '../render/buttons';
import type { Store, TrackedTask } from '../store';

/**
 * What each button of a card stands for (Discord's custom_id is a short key; Midjourney's customId is longer),
 * kept until `expiresAt`. Saved before the buttons are shown, so an instant click always finds its target.
 */
export async function saveButtonTargets(store: Store, record: TrackedTask, slots: ButtonSlot[], expiresAt: number, ttlMs: number): Promise<void> {
  await Promise.all(
    slots.map((slot) =>
      store.buttons.set(
        slot.key,
        {
        taskId: record.taskId,
        customId: slot.customId,
        action: parseAction(slot.customId),
        label: slot.label,
        ownerId: record.requesterId,
        guildId: record.message.guildId,
        expiresAt,
      },
        ttlMs,
      ),
    ),
  );
}
