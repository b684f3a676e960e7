import type { Locale } from '../i18n';
import { randomBytes } from 'node:crypto';
import type { Member } from '../limits/ledger';
import type { Store } from '../store';

/** How long a region editor link works, like the interaction token that will post its card. */
const EDITOR_TTL_MS = 15 * 60_000;

/** What a Vary (Region) click opened: who may use it, on which image, and how to post the result's card. */
export interface EditorSession {
  /** The task whose image is edited, and the Vary (Region) button's Midjourney customId. */
  taskId: string;
  customId: string;
  label: string;
  member: Member;
  prompt: string;
  /** The server's language as Discord reported it at the click (the card's language is decided at the start). */
  discordLocale?: Locale | undefined;
  /** The click's interaction: its token posts the new card into the channel (valid 15 minutes). */
  interaction: { applicationId: string; token: string; expiresAt: number };
  /** The largest file Discord takes in that server, as the click said (MessageRef.uploadLimit). */
  uploadLimit?: number | undefined;
  expiresAt: number;
  /** Set once the mask was sent: a link works once. */
  usedAt?: number;
}

export type SessionProblem = 'unknown' | 'expired' | 'used' | 'busy';

const key = (token: string) => `editor:${token}`;

/**
 * Region editor links: a random token of 192 bits, bound to a member, a task and a customId, valid 15 minutes,
 * single use. Two tabs submitting at once: one claims the token (atomically, fleet-wide), the other is told so.
 */
export class EditorSessions {
  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
  ) {}

  async open(session: Omit<EditorSession, 'expiresAt'>): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.store.meta.set(key(token), { ...session, expiresAt: this.clock() + EDITOR_TTL_MS }, EDITOR_TTL_MS);
    return token;
  }

  /** The session of a token, or why there is none. */
  async find(token: string): Promise<EditorSession | SessionProblem> {
    if (!/^[\w-]{32}$/.test(token)) return 'unknown';
    const session = (await this.store.meta.get(key(token))) as EditorSession | undefined;
    if (!session) return 'unknown';
    if (session.usedAt) return 'used';
    if (session.expiresAt <= this.clock()) return 'expired';
    return session;
  }

  /**
   * Takes the token for one submit (fleet-wide: a second tab is told "busy"). `markUsed` spends the link for good
   * (before its submit is sent); `release` lets go of the claim either way.
   */
  async claim(token: string): Promise<{ session: EditorSession; markUsed(): Promise<void>; release(): Promise<void> } | SessionProblem> {
    const found = await this.find(token);
    if (typeof found === 'string') return found;
    if (!(await this.store.coordinator.claim(key(token), EDITOR_TTL_MS))) return 'busy';
    const again = await this.find(token);
    if (typeof again === 'string') {
      await this.store.coordinator.unclaim(key(token));
      return again;
    }
    return {
      session: again,
      markUsed: async () => {
        await this.store.meta.set(key(token), { ...again, usedAt: this.clock() }, EDITOR_TTL_MS);
      },
      release: () => this.store.coordinator.unclaim(key(token)),
    };
  }
}
