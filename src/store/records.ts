import type { Mode } from '../mj/modes';
import type { Locale } from '../i18n';
import type { MjAction } from '../mj/actions';
import type { MjButton, TaskStatus } from '../mj/schemas';

/** Where a task's card lives in Discord and how the bot may edit it. */
export interface MessageRef {
  guildId: string;
  channelId: string;
  /** The card's message id once known. */
  messageId: string | undefined;
  /** Interaction webhook credentials: usable until `expiresAt` (15 minutes after the interaction). */
  interaction: { applicationId: string; token: string; expiresAt: number } | undefined;
  /**
   * The largest file Discord takes in this server (the interaction's `attachment_size_limit`: 10 MB, more when
   * boosted), when the interaction said. Result files over it are linked at once rather than refused on upload.
   */
  uploadLimit?: number | undefined;
}

/** What the API last reported for a task: the figures and pictures its card shows (what the card says is `CardState`). */
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

/**
 * What a task's card shows: one state at a time, each with what only it needs. The tracker changes it, through one
 * function (src/tasks/card-state.ts); the card is drawn from it (src/render/card.ts). It says nothing about whether
 * the task is still followed: that is `Lifecycle`.
 */
export type CardState =
  /** Submitted; the API has not said it is queued or running. */
  | { kind: 'waiting' }
  /** In the API's queue: `position` tasks ahead (0: next in line). */
  | { kind: 'queued'; position: number }
  | { kind: 'running' }
  /** The API waits for the member's prompt (remix mode, Custom Zoom): the card offers Edit prompt. */
  | { kind: 'needs-prompt' }
  /** What the API reports has not changed for STALL_AFTER_MS. */
  | { kind: 'stalled' }
  /** The API could not be asked about the task (down, circuit open) since its last answer. */
  | { kind: 'api-trouble' }
  | { kind: 'done' }
  /** `reason`: the bot's own (timed out, vanished), in the card's language; without one the card quotes the API's failReason. */
  | { kind: 'failed'; reason?: string }
  | { kind: 'cancelled' };

/**
 * Whether the bot follows a task: 'tracked' while a process of the fleet polls it and edits its card; then
 * 'delivered' (the final card is shown) or 'detached' (the card is gone, or Discord refused it for good), and the
 * record is only kept for RETENTION_DAYS (/task, Seed, old buttons). A detached card keeps whatever state it had.
 */
export type Lifecycle = 'tracked' | 'delivered' | 'detached';

export interface TrackedTask {
  taskId: string;
  /** What the member asked for, as shown in the card title: "Imagine", "Upscale U2", … (in the card's language) */
  title: string;
  /** The language of the card (the server's when the task started); older records: English. */
  locale?: Locale;
  /** The requester's variation strength (/settings) when it started: which Vary button the card highlights. */
  variation?: 'high' | 'low';
  /** The prompt as the member typed it (with their preferences): what the card shows first. */
  prompt: string;
  /** What was sent instead, when it differs (a translated prompt): the card shows it under the prompt, "Sent as". */
  sentPrompt?: string;
  requesterId: string;
  mode: Mode | undefined;
  /** What started it, as metrics count it: the command (`imagine`) or the button's action (`upscale`). */
  kind?: string;
  /** The Midjourney button that started it, if a button did (src/mj/actions.ts). */
  action?: MjAction;
  /** The member asked for a faster mode than their roles allow: `mode` is the capped one. */
  cappedFrom?: Mode;
  parentTaskId: string | undefined;
  /**
   * The API that runs it (MJ_UPSTREAMS' name); absent on records from before several APIs: the default one. The
   * record's `taskId` is its key: the API's id, prefixed by this name for every API but the default one.
   */
  upstream?: string;
  message: MessageRef;
  submittedAt: number;
  /** Last time what the API reports for this task changed (stall watchdog). */
  lastChangeAt: number;
  view: TaskView;
  /** Hash of what the card shows now: an edit is sent only when it changes. */
  renderedHash: string | undefined;
  /** What the card shows (the API's last word and the bot's own view of the task in one): changed by the tracker only. */
  state: CardState;
  /** Whether the bot still follows the task, whatever its card shows. */
  lifecycle: Lifecycle;
  /** Result files attached to the final card. */
  files: Array<{ name: string; sourceUrl: string }>;
  /** The final card's Midjourney buttons, by index: what `mj:<taskId>:<n>` stands for. */
  buttonSlots?: Array<{ customId: string; label: string }>;
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
  /** What the button does, parsed once from `customId` (src/mj/actions.ts). */
  action?: MjAction;
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

/** What an admin set for a server with /admin (everything optional: unset = the env defaults). */
export interface GuildSettings {
  /** Role id → tasks per member per day and tasks in flight per member; the guild id is @everyone. */
  limits: Record<string, { daily: number; concurrent: number }>;
  /** Role id → the fastest speed mode members with that role may use. */
  modes: Record<string, Mode>;
  /** Tasks per day for the whole server; undefined = no budget. */
  budget: number | undefined;
  /** When not empty, commands that start tasks work only in these channels. */
  channels: string[];
  /** Banned words (lower case), checked in every prompt before anything is sent. */
  words: string[];
  /** The language of the server's cards (/admin language); undefined = the server's language in Discord. */
  language?: Locale | undefined;
  /** /admin translate: false turns translation off here; undefined = on wherever a translator is configured. */
  translate?: boolean | undefined;
  /** /admin strikes: `limit` banned prompts within `hours` lock a member for `hours`; undefined = 3 in 24 h, limit 0 = off. */
  strikes?: { limit: number; hours: number } | undefined;
  /** Where images that reach `threshold` stars are posted (/admin showcase); undefined = no showcase. */
  showcase?: ShowcaseSetting | undefined;
}

/** A server's showcase channel, as /admin showcase set it. */
export interface ShowcaseSetting {
  channelId: string;
  /** Stars an image needs to be posted there. */
  threshold: number;
  /** The admin who set it: told privately, once, when the bot cannot post there. */
  setBy: string;
  /** Discord refused a showcase post for good (permissions, channel gone): nothing is posted until it is set again. */
  broken?: { reason: string; at: number } | undefined;
}

/** The stars of one finished image (a task), in its server; kept as long as the task is (RETENTION_DAYS). */
export interface StarRecord {
  taskId: string;
  guildId: string;
  /** Member id → when they starred it (clock ms): the count is the number of members. */
  by: Record<string, number>;
  /** Member id → their last click on ⭐, kept a few seconds: a repeat within them is a double click, counted once. */
  clicked: Record<string, number>;
  /**
   * The image's post in the showcase channel: `posting` while one process posts it (fleet-wide, once), `posted`
   * with its message, `gone` once Discord no longer has that message (never posted again).
   */
  showcase?: { state: 'posting' | 'posted' | 'gone'; channelId: string; messageId?: string; at: number } | undefined;
  /** Discord no longer lets the bot edit the card (deleted): star updates skip it. */
  cardGone?: boolean;
  /** When the task's record goes (its own expiresAt), and this with it. */
  expiresAt: number;
}

/** One entry of a member's list (favourites, history), per server. */
export interface ListEntry {
  taskId: string;
  /** When it was added (starred, started). */
  at: number;
  /** History: the kind of task (src/community/kinds.ts), for /history kind. */
  kind?: string;
  /** Favourites: when the task's record goes (history entries go with their task, found by the sweep). */
  expiresAt?: number;
}

/** A member's favourites or history in one server: oldest first, newest last, at most a bounded number. */
export interface MemberList {
  entries: ListEntry[];
}

/** What a member set for themselves in a server with /settings and /prefer (unset = Midjourney's default). */
export interface MemberPrefs {
  /** `--v 7`, `--v 6.1`, `--niji 6`, …: the value of src/prefs/flags.ts' VERSIONS. */
  version?: string | undefined;
  stylize?: number | undefined;
  raw?: boolean | undefined;
  /** Which Vary button the member's upscales highlight. */
  variation?: 'high' | 'low' | undefined;
  mode?: Mode | undefined;
  /** Text added to the end of every prompt (/prefer suffix). */
  suffix?: string | undefined;
  /** Prompts in other languages: translated at once (undefined), shown first ('ask'), or sent as typed ('never'). */
  translate?: 'ask' | 'never' | undefined;
}

/** One task the API accepted, as /admin usage reports it. */
export interface UsageRow {
  taskId: string;
  guildId: string;
  channelId: string;
  memberId: string;
  memberName: string;
  /** `/imagine`, or the button's label ("U2", "Vary (Strong)"). */
  kind: string;
  /** The mode sent to the API; 'default' when none was chosen (the API's own default). */
  mode: string;
  /** When it was accepted (clock ms), and that day in QUOTA_TIMEZONE (what it counted against). */
  at: number;
  day: string;
  /** RUNNING until it ends, then the final status. */
  status: string;
  /** Ended in FAILURE or CANCEL: given back to the member's and the server's day. */
  refunded: boolean;
  /** The API that ran it (absent on rows from before several APIs: the default one). */
  upstream?: string;
  expiresAt: number;
}

/** A day's count of tasks (per member, or for the whole server), with the tasks of that day for the server. */
export interface DayCounter {
  n: number;
  /**
   * Only on the server's counter: the ids of that day's newest tasks, for /admin usage (older ones in full chunks
   * at `<key>#0` … `<key>#<chunks - 1>`, see src/limits/quota.ts), and on those chunks.
   */
  taskIds?: string[];
  /** How many full chunks of ids the server's counter moved out. */
  chunks?: number;
  expiresAt: number;
}

/** A translation remembered for a day, per exact text (src/tasks/translation.ts). */
export interface CachedTranslation {
  english: string;
  expiresAt: number;
}

/**
 * A start that waits for its member's choice (src/tasks/choices.ts): "show me first", or a translation that failed.
 * Everything its buttons need to start the same task again, for a short while.
 */
export interface PendingChoice {
  id: string;
  guildId: string;
  userId: string;
  /** The entry point that started it and what it read (its options), to start it again the same way. */
  replay: { entry: string; options: Record<string, unknown> };
  /** The prompt as the member typed it (the entry point's), and as the card would show it (with preferences). */
  typed: string;
  shown: string;
  /** Its English, or undefined when the translation failed. */
  english?: string;
  expiresAt: number;
}

/** One banned prompt of a member (src/limits/strikes.ts): when, and the task when it ended FAILURE. */
export interface Strike {
  at: number;
  taskId?: string;
}

/** A server's strikes: per member, their recent strikes and the lock they earned, if any. */
export interface ServerStrikes {
  members: Record<string, { strikes: Strike[]; lockedUntil?: number }>;
  /** When nothing in it counts any more (the last strike's window and the last lock are over). */
  expiresAt: number;
}
