import type { ResultKind } from '../mj/actions';

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
  /** Default false; true → variation/pan/reroll/animate answer code 21 and create a MODAL task (an account in remix
   *  mode; `npm run simulator` offers it as SIMULATOR_REMIX). A request's own `enableRemix: true` does it too. */
  remix?: boolean;
  /** Default Date.now. Task state is computed from it lazily. */
  clock?: () => number;
  log?: (msg: string, data?: object) => void;
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
/** Which of Midjourney's button rows a SUCCESS task carries (src/mj/actions.ts: RESULT_BUTTONS). */
export type ButtonSet = ResultKind | 'none';
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
  /**
   * When it entered the queue (SUBMITTED); undefined while MODAL. A hook may move it later: the task is then
   * waiting for a free slot (NOT_START) until then, as test support's queue limits do.
   */
  queuedAt: number | undefined;
  /** Time spent SUBMITTED. */
  waitMs: number;
  runMs: number;
  steps: number;
  notifyHook: string | undefined;
  modal: ModalKind | undefined;
  maskBase64: string;
  /** DESCRIBE: URL of the described image. */
  inputImageUrl: string;
  videoType: string;
  motion: string;
  batchSize: number;
  seed: string;
}

export interface MjSimulator {
  /** 'http://127.0.0.1:<port>' (no trailing slash, no /mj). */
  readonly url: string;
  /** The API family it speaks. */
  readonly family: SimulatorFamily;
  readonly tasks: Map<string, SimTaskRecord>;
  /** The task JSON exactly as a fetch would return it now (undefined if unknown). */
  getTask(id: string): unknown;
  /** The simulator's clock. */
  now(): number;
  /** Stops answering (connections refused) until `resume`; its tasks go on meanwhile (the playground stops an API). */
  pause(): Promise<void>;
  resume(): Promise<void>;
  readonly paused: boolean;
  close(): Promise<void>;
}

/** The options as used internally. */
export interface Settings {
  family: SimulatorFamily;
  apiKey: string | undefined;
  queueMs: number;
  runMs: number;
  progressSteps: number;
  imageSize: number;
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
    remix: options.remix ?? false,
    clock: options.clock ?? Date.now,
    log: options.log ?? (() => {}),
  };
}
