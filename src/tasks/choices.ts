import { randomBytes } from 'node:crypto';
import { unexpired, type PendingChoice, type Store } from '../store';

/** A choice waits this long: Discord's private answers hold their buttons no longer than the member looks at them. */
const CHOICE_MS = 15 * 60_000;

/**
 * Starts that wait for their member's choice before anything is sent ("show me first", or a translation that
 * failed): kept in the store, so a click on Send reaches a restarted bot (or another process) all the same, and
 * gone by themselves after a few minutes.
 */
export class PendingChoices {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  async save(choice: Omit<PendingChoice, 'id' | 'expiresAt'>): Promise<PendingChoice> {
    const saved: PendingChoice = { ...choice, id: randomBytes(12).toString('base64url'), expiresAt: this.clock() + CHOICE_MS };
    await this.store.choices.set(saved.id, saved, CHOICE_MS);
    return saved;
  }

  async find(id: string): Promise<PendingChoice | undefined> {
    return unexpired(await this.store.choices.get(id), this.clock());
  }

  /** Made: its buttons answer "expired" from now on. */
  async forget(id: string): Promise<void> {
    await this.store.choices.delete(id);
  }
}
