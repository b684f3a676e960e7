import type { Mode } from '../config';
import type { MjButton, TaskStatus } from '../mj/schemas';

/** Where a task's card lives in Discord and how the bot may edit it. */
export interface MessageRef {
  guildId: string;
  channelId: string;
  /** The card's message id once known. */
  messageId: string | undefined;
  /** Interaction webhook credentials: usable until `expiresAt` (15 minutes after the interaction). */
  interaction: { applicationId: string; token: string; expiresAt: number } | undefined;
}

/** The state a task's card shows; kept small, written at every change. */
export interface TaskView {
  status: TaskStatus;
  progress: number;
  imageUrl: string;
  imageUrls: string[];
  videoUrls: string[];
  failReason: string;
  finalPrompt: string;
  description: string;
  buttons: MjButton[];
  /** From a server that sends no buttons (open-source proxy): the bot draws U/V/reroll, posted as /submit/change; no Seed. */
  classic?: boolean;
  action: string;
  queuePosition: number | undefined;
  startTime: number | undefined;
  finishTime: number | undefined;
}

export interface TrackedTask {
  taskId: string;
  /** What the member asked for, as shown in the card title: "Imagine", "Upscale U2", … */
  title: string;
  prompt: string;
  requesterId: string;
  mode: Mode | undefined;
  parentTaskId: string | undefined;
  message: MessageRef;
  submittedAt: number;
  /** Last time what the API reports for this task changed (stall watchdog). */
  lastChangeAt: number;
  view: TaskView;
  /** Hash of what the card shows now: an edit is sent only when it changes. */
  renderedHash: string | undefined;
  /** Bot-side state: 'active' (tracked), 'stalled', 'done' (final card delivered), 'detached' (message gone). */
  phase: 'active' | 'stalled' | 'done' | 'detached';
  /** Bot-side reason a task ended (timeout, vanished) when the API gave none. */
  endReason: string | undefined;
  /** Set while polls for this task fail (API down, circuit open): the card says so. */
  apiTrouble?: boolean;
  /** Result files attached to the final card. */
  files: Array<{ name: string; sourceUrl: string }>;
  /** Result URLs the bot refused to fetch (not public, not an allowed origin): neither attached nor linked. */
  blockedUrls?: string[] | undefined;
  /** Discord refused the result files for good: the final card links them instead. */
  filesRefused?: boolean;
  /** When the record may be deleted (clock ms): set once tracking ends, RETENTION_DAYS later. */
  expiresAt?: number;
}

export interface ButtonTarget {
  taskId: string;
  customId: string;
  label: string;
  ownerId: string;
  guildId: string;
  /** When the button stops working and its record may be deleted (clock ms). */
  expiresAt?: number;
}

export interface ClickRecord {
  startedTaskId: string | undefined;
  at: number;
  messageUrl: string | undefined;
  /** When the record stops counting and may be deleted (clock ms). */
  expiresAt?: number;
}
