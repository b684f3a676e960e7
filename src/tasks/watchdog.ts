import { isFinal } from '../render/state';
import type { TrackedTask } from '../store/records';
import { gaveUp, type StateEvent } from './card-state';

export interface WatchdogLimits {
  /** A task whose report has not changed this long is shown as stalled (STALL_AFTER_MS). */
  stallAfterMs: number;
  /** A task is given up this long after it was submitted, or after its wait for a prompt began (TASK_TIMEOUT_MS). */
  timeoutMs: number;
}

/**
 * What hangs, for the tracker to act on at each tick: a task that stopped changing (stalled), one past the hard
 * timeout (failed, with the reason in its card's language). Waiting for the member's prompt is not the API being
 * slow: that clock starts when the wait began, and such a task is never called stalled.
 */
export function overdue(record: TrackedTask, now: number, limits: WatchdogLimits): StateEvent | undefined {
  if (isFinal(record.state)) return undefined;
  if (record.state.kind === 'needs-prompt') {
    return now - record.lastChangeAt > limits.timeoutMs ? gaveUp(record, (t) => t.card.noPromptSent(limits.timeoutMs)) : undefined;
  }
  if (now - record.submittedAt > limits.timeoutMs) return gaveUp(record, (t) => t.card.timedOut(limits.timeoutMs));
  return now - record.lastChangeAt > limits.stallAfterMs ? { kind: 'quiet' } : undefined;
}

/** The interaction token ran out (15 minutes): a dead token is deleted, not kept in the store. */
export const tokenExpired = (record: TrackedTask, now: number): boolean =>
  record.message.interaction !== undefined && now >= record.message.interaction.expiresAt;
