/**
 * Public and internal types of the built-in midjourney-proxy simulator
 * (the midjourney-proxy API family it imitates: open-source, trueai-org, new-api resellers).
 */

/** Which kind of server the simulator imitates. */
export type SimulatorFamily = 'open-source' | 'trueai' | 'reseller';
export type SimMode = 'FAST' | 'RELAX' | 'TURBO';

export interface SimulatorOptions {
  /** 0 (default) = a random free port. The server listens on 127.0.0.1 only. */
  port?: number;
  /** Default 'trueai' (full PLUS/TA-like behaviour). */
  family?: SimulatorFamily;
  /** When set, requests must carry it (header style depends on the family), else 401. */
  apiKey?: string;
  /** Time a task stays SUBMITTED before IN_PROGRESS (default 1500 ms). */
  queueMs?: number;
  /** Time from IN_PROGRESS 0% to SUCCESS (default 8000 ms). */
  runMs?: number;
  /** Distinct percent values while running (default 5: 0, 20, 40, 60, 80). */
  progressSteps?: number;
  /** Edge of the (square) grid image in px (default 512). */
  imageSize?: number;
  /** Default true; false → /mj/task/list-by-condition answers 404. */
  listByCondition?: boolean;
  /** Default false; true → variation/pan/reroll/animate answer code 21 and create a MODAL task. */
  remix?: boolean;
  /** Default Date.now. Task state is computed from it lazily. */
  clock?: () => number;
  log?: (msg: string, data?: object) => void;
}

/** Extra switches, settable through configure() at run time. */
export interface Behaviour {
  /** Extra delay (ms) before each notifyHook delivery (default 0). */
  notifyDelayMs: number;
  /** Deliver every notifyHook callback twice (default false). */
  notifyDuplicate: boolean;
  /** Deliver notifyHook callbacks out of order: random extra delay up to 3 ticks, batches reversed (default false). */
  notifyShuffle: boolean;
  /** Period of the shared notifyHook interval (default 100 ms). */
  notifyIntervalMs: number;
  /** Prompts containing one of these words (case-insensitive) end FAILURE halfway through the run (default []). */
  failPrompts: string[];
  /** Banned words: open-source answers code 24, the others accept and end FAILURE "可能包含敏感词" (default ['badword']). */
  bannedWords: string[];
  /** In-flight limit: with this many tasks queued or running, new submits answer code 22 "排队中，前面还有N个任务"
   *  (properties.numberOfQueues = N) and stay NOT_START until a slot would be free (default Infinity). */
  queueFullAfter: number;
  /** How many tasks may wait beyond queueFullAfter; more are rejected: code 23 (open-source) or
   *  9 "提交失败，队列已满，请稍后重试" (trueai, reseller) (default Infinity; 0 = reject as soon as the limit is reached). */
  queueSize: number;
  /** trueai only: the user's concurrency limit is reached → imagine answers code 4 "并发数已达上限", other endpoints
   *  HTTP 200 {success:false, code:-1, message} (default false). */
  limitReached: boolean;
  /** reseller only: submits answer HTTP 429 {code:30, description:'当前分组负载已饱和', type:'upstream_error'} (default false). */
  saturated: boolean;
  /** reseller only: submits answer HTTP 400 {code:4, description:'quota_not_enough'} (default false). */
  quotaExhausted: boolean;
  /** reseller only: submit answers carry `result` as a JSON number (default false). */
  numericIds: boolean;
  /** reseller only: imageUrl points at `${url}/mj/image/{id}` (+`?rand=` while running), like new-api's
   *  MjForwardUrlEnabled (default false). */
  forwardImageUrls: boolean;
  /** trueai only: fill `imageUrls` with the four tiles of every grid (TA EnableFillOfficialCdn) (default false). */
  fillImageUrls: boolean;
  /** false: the account cannot edit (trueai with Discord accounts): /submit/edits answers code 9
   *  "当前账号不支持编辑/重绘任务" (resellers pass it on as HTTP 400) (default true). */
  editsSupported: boolean;
  /** false: no InsightFace (Replicate) token configured: /insight-face/swap answers code 4 "服务不支持" (default true). */
  faceSwapSupported: boolean;
  /** Delay (ms) before /mj/task/{id}/image-seed answers (default 0). */
  seedDelayMs: number;
  /** reseller only, like YEScale: VIDEO task bodies carry no video links; only GET /mjvideo/fetch/{id} has them
   *  (default false). */
  videoFetchOnly: boolean;
  /** Size in bytes of each served .mp4 (default 4096). */
  videoBytes: number;
}

/** Numeric description of one generated picture tile (see pictures.ts). */
export interface TileParams {
  c1: [number, number, number];
  c2: [number, number, number];
  c3: [number, number, number];
  angle: number;
  pattern: number;
  freq: number;
  cx: number;
  cy: number;
  scale: number;
}

/** What a SUCCESS task delivers. */
export type OutputKind = 'grid' | 'single' | 'describe' | 'shorten' | 'video' | 'video-single' | 'edit' | 'none';
/** Which button catalogue a SUCCESS task carries (buttons.ts). */
export type ButtonSet =
  | 'grid'
  | 'upscale'
  | 'upscale-hd'
  | 'describe'
  | 'shorten'
  | 'shorten-extended'
  | 'video'
  | 'video-upscaled'
  | 'none';
/** What /mj/submit/modal expects for a MODAL task. */
export type ModalKind = 'zoom' | 'inpaint' | 'prompt';

/** Internal record of one task; its state is computed from the clock by tasks.ts. */
export interface SimTaskRecord {
  id: string;
  action: string;
  output: OutputKind;
  buttonSet: ButtonSet;
  customId: string;
  parentId: string | undefined;
  prompt: string;
  promptEn: string;
  finalPrompt: string;
  /** Result text of DESCRIBE / SHORTEN (set as finalPrompt at SUCCESS). */
  resultText: string;
  description: string;
  state: string;
  botType: string;
  mode: SimMode;
  messageHash: string;
  /** Four tiles for grid outputs; tiles[0] for single outputs and video frames. */
  tiles: TileParams[];
  width: number;
  height: number;
  submitTime: number;
  /** When it entered the queue; undefined while MODAL. */
  queuedAt: number | undefined;
  /** Time spent NOT_START + SUBMITTED. */
  waitMs: number;
  /** Part of waitMs spent NOT_START (accepted with code 22: waiting for a free slot). */
  notStartMs: number;
  runMs: number;
  steps: number;
  /** A failure decided at submit time (banned word, failPrompts), at this many ms after queuedAt. */
  plannedFailure: { reason: string; atElapsed: number } | undefined;
  /** A failure forced with failTask(). */
  forcedFailure: { reason: string; at: number } | undefined;
  stalledAt: number | undefined;
  pausedMs: number;
  notifyHook: string | undefined;
  modal: ModalKind | undefined;
  maskBase64: string;
  /** DESCRIBE: URL of the described image. */
  inputImageUrl: string;
  videoType: string;
  motion: string;
  batchSize: number;
  seed: string;
  /** Result URLs a test set with setResult(): shown instead of the generated ones once the task succeeds. */
  resultOverride?: ResultOverride;
}

/** Result URLs of a finished task, as a test wants the API to report them. */
interface ResultOverride {
  imageUrl?: string;
  imageUrls?: string[];
  videoUrls?: string[];
}

export interface MjSimulator {
  /** 'http://127.0.0.1:<port>' (no trailing slash, no /mj). */
  readonly url: string;
  readonly tasks: Map<string, SimTaskRecord>;
  /** The task JSON exactly as a fetch would return it now (undefined if unknown). */
  getTask(id: string): unknown;
  /** notifyHook callbacks sent so far. */
  callbacksSent(): number;
  configure(patch: Partial<SimulatorOptions & Behaviour>): void;
  stall(taskId: string, stalled: boolean): void;
  failTask(taskId: string, reason: string): void;
  /** Makes a task report these result URLs once it succeeds (e.g. an internal address, or `${url}/redirect?to=…`). */
  setResult(taskId: string, result: ResultOverride): void;
  /**
   * POSTs a callback for `taskId` to its notifyHook now: the task's current JSON with `patch` laid over it
   * (a forged or early report). Resolves to the HTTP status the hook answered.
   */
  sendCallback(taskId: string, patch?: Record<string, unknown>): Promise<{ status: number; body: string }>;
  /** The simulator's clock. */
  now(): number;
  close(): Promise<void>;
}

/** Options and behaviour merged, as used internally. */
export interface Settings extends Behaviour {
  family: SimulatorFamily;
  apiKey: string | undefined;
  queueMs: number;
  runMs: number;
  progressSteps: number;
  imageSize: number;
  listByCondition: boolean;
  remix: boolean;
  clock: () => number;
  log: (msg: string, data?: object) => void;
}

export function defaultSettings(options: SimulatorOptions): Settings {
  return {
    family: options.family ?? 'trueai',
    apiKey: options.apiKey || undefined,
    queueMs: options.queueMs ?? 1500,
    runMs: options.runMs ?? 8000,
    progressSteps: Math.max(1, Math.floor(options.progressSteps ?? 5)),
    imageSize: Math.max(16, Math.floor(options.imageSize ?? 512)),
    listByCondition: options.listByCondition ?? true,
    remix: options.remix ?? false,
    clock: options.clock ?? Date.now,
    log: options.log ?? (() => {}),
    notifyDelayMs: 0,
    notifyDuplicate: false,
    notifyShuffle: false,
    notifyIntervalMs: 100,
    failPrompts: [],
    bannedWords: ['badword'],
    queueFullAfter: Infinity,
    queueSize: Infinity,
    limitReached: false,
    saturated: false,
    quotaExhausted: false,
    numericIds: false,
    forwardImageUrls: false,
    fillImageUrls: false,
    editsSupported: true,
    faceSwapSupported: true,
    seedDelayMs: 0,
    videoFetchOnly: false,
    videoBytes: 4096,
  };
}
