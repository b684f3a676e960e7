import type { ChatInputCommandInteraction, REST, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { History } from '../community/history';
import type { Stars } from '../community/stars';
import type { Config } from '../config';
import type { EditorSessions } from '../editor/sessions';
import type { QuotaLedger } from '../limits/ledger';
import type { ServerSettings } from '../limits/server-settings';
import type { Strikes } from '../limits/strikes';
import type { UsageLog } from '../limits/usage-log';
import type { Downloader } from '../net/downloader';
import type { Resolve } from '../net/links';
import type { UploadBudget } from './attachments';
import type { ClickGuard } from './click-guard';
import type { Showcase } from './showcase';
import type { StarCards } from './star-cards';
import type { Logger } from '../logger';
import type { Upstreams } from '../mj/upstreams';
import type { Store } from '../store';
import type { PendingChoices } from '../tasks/choices';
import type { Starter } from '../tasks/start';
import type { Tracker } from '../tasks/tracker';
import type { PromptTranslation } from '../tasks/translation';
import type { Resume } from './start-task';

/** What commands and handlers may use: built once by the app, passed explicitly (no globals). */
export interface BotContext {
  config: Config;
  /** discord.js's REST client. */
  rest: REST;
  logger: Logger;
  /**
   * The Midjourney APIs: new tasks through the start path, a task's follow-ups (`followUp`) to the API that made
   * it; `maxPromptLength` and `modes` are what a new task may use.
   */
  upstreams: Upstreams;
  store: Store;
  tracker: Tracker;
  /** Bytes of members' images held at once (UPLOAD_BUDGET_BYTES). */
  uploads: UploadBudget;
  /** Downloads members' attachments from Discord's CDN. */
  downloads: Downloader;
  /** Resolves host names (links members type are checked against what they resolve to). */
  resolve: Resolve;
  /** Region editor links (Vary (Region)). */
  editor: EditorSessions;
  /** The double-click guard of buttons and forms. */
  clickGuard: ClickGuard;
  /** What each server's admins set with /admin (limits, modes, budget, channels, words, language). */
  settings: ServerSettings;
  /** What each member and server used, slots reserved, refunds (/quota, the start path). */
  quotas: QuotaLedger;
  /** One row per task the API accepted (/admin usage). */
  usage: UsageLog;
  /** The one way a task starts (src/tasks/start.ts). */
  starter: Starter;
  /** Banned prompts per member: /quota, /admin usage and /admin pardon. */
  strikes: Strikes;
  /** Prompts in other languages: whether a translator is configured and on in a server (/admin, /settings). */
  translation: PromptTranslation;
  /** Starts that wait for their member's choice (show me first, a failed translation). */
  choices: PendingChoices;
  /** ⭐ on finished images and each member's favourites (/favorites). */
  stars: Stars;
  /** Each member's own tasks (/history). */
  history: History;
  /** The ⭐ count on finished cards and showcase posts. */
  starCards: StarCards;
  /** The showcase channel (/admin showcase). */
  showcase: Showcase;
  clock: () => number;
}

/** One slash command: its registration JSON and what it does. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  /**
   * Starts the same task again once its member chose how its prompt is sent (show me first, a failed translation),
   * from the options `execute` kept in its spec's `replay` (entry: the command's name).
   */
  resume?: Resume;
}
