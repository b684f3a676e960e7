import type { RepliableInteraction } from 'discord.js';
import { retentionOf, type Config } from '../config';
import { UserError } from '../errors';
import type { Text } from '../i18n';
import type { Submitted } from '../mj/client';
import { unexpired, type ClickRecord, type Store } from '../store';

/** A repeat of the same request within this window is a double click (or a double submit), not a new request. */
const DOUBLE_CLICK_MS = 30_000;
/** Longest a request may take between its click and its card (a submit may wait for the API's answer). */
const CLAIM_MS = 120_000;

export interface GuardedClick {
  /** What makes two requests the same (a button key, a form and its prompt). */
  key: string;
  /** How the member names it: “V1”, “This prompt”. */
  what: Text;
  /** Refuse every repeat, not only those within the window (U1–U4 make the same picture every time). */
  oneShot?: boolean;
  /** What a repeat is told, instead of "… is already on its way." */
  refusal?: Text;
}

/**
 * The one double-click guard, for buttons and forms: `start` (which defers and submits) runs once per key. A
 * repeat while it runs, or soon after (kept in the store, so also after a restart), is refused privately with a
 * link to the card the first one started. Owned by the app: its in-flight set ends with it.
 */
export class ClickGuard {
  constructor(
    private readonly store: Store,
    private readonly config: Pick<Config, 'RETENTION_DAYS'>,
    private readonly clock: () => number,
  ) {}

  async run(interaction: RepliableInteraction, request: GuardedClick, start: () => Promise<Submitted>): Promise<void> {
    const refusal: Text = request.refusal ?? ((t) => t.once.onItsWay(request.what(t)));
    // Atomic across the fleet: of two clicks at once, exactly one gets on.
    const claim = `once:${request.key}`;
    if (!(await this.store.coordinator.claim(claim, CLAIM_MS))) throw new UserError(refusal);
    try {
      const now = this.clock();
      const previous = unexpired<ClickRecord>(await this.store.clicks.get(request.key), now);
      // Records written before they carried an expiry: judged by their age as before.
      const live = previous && (previous.expiresAt !== undefined || request.oneShot || now - previous.at < DOUBLE_CLICK_MS);
      if (previous && live) {
        const url = !request.refusal ? previous.messageUrl : undefined;
        throw new UserError((t) => `${refusal(t)}${url ? t.once.see(url) : ''}`);
      }
      const submitted = await start();
      const reply = await interaction.fetchReply().catch(() => undefined);
      // A one-shot click counts as long as its card lives; a double click only within its window.
      const keepMs = request.oneShot ? retentionOf(this.config) : DOUBLE_CLICK_MS;
      await this.store.clicks.set(request.key, { startedTaskId: submitted.taskId, at: now, messageUrl: reply?.url, expiresAt: now + keepMs }, keepMs);
    } finally {
      await this.store.coordinator.unclaim(claim);
    }
  }
}
