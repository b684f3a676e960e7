import { randomInt, randomUUID } from 'node:crypto';
import type { SimHooks } from './hooks';
import type { ButtonSet, ModalKind, OutputKind, Settings, SimMode, SimTaskRecord, TileParams } from './sim-types';

/**
 * Task records and their life cycle. Nothing runs per task: the status, progress and image of a task are
 * computed from (clock − timestamps) whenever somebody asks (fetch, list, notifyHook tick).
 */

/** A task at one moment. The simulator itself never holds a task NOT_START nor fails one: a `view` hook may. */
export interface TaskView {
  status: 'NOT_START' | 'SUBMITTED' | 'IN_PROGRESS' | 'MODAL' | 'SUCCESS' | 'FAILURE';
  progress: string;
  percent: number;
  startTime: number | undefined;
  finishTime: number | undefined;
  /** Current image: a path on this server ('/images/…', '/uploads/…') or an absolute URL; '' = none. */
  image: string;
  failReason: string;
  terminal: boolean;
}

export interface NewTask {
  action: string;
  output: OutputKind;
  buttonSet: ButtonSet;
  prompt: string;
  description: string;
  mode: SimMode;
  tiles: TileParams[];
  width: number;
  height: number;
  seed: string;
  customId?: string;
  parentId?: string;
  finalPrompt?: string;
  resultText?: string;
  state?: string;
  botType?: string;
  notifyHook?: string;
  modal?: ModalKind;
  inputImageUrl?: string;
  videoType?: string;
  motion?: string;
  batchSize?: number;
}

/** Appends ` --v 7.0` when the prompt names no model version, like Midjourney's echo of the prompt. */
export function finalPromptOf(prompt: string): string {
  const clean = prompt.trim().replace(/\s+/g, ' ');
  return /--(?:v|version|niji)\b/i.test(clean) ? clean : `${clean} --v 7.0`;
}

export class TaskStore {
  readonly tasks = new Map<string, SimTaskRecord>();

  constructor(
    private readonly settings: Settings,
    private readonly hooks: Pick<SimHooks, 'queued' | 'view'> = {},
  ) {}

  /** 16-digit id: ms timestamp × 1000 + 3 random digits, unique. */
  newId(): string {
    let ms = Math.floor(this.settings.clock());
    for (;;) {
      const start = randomInt(1000);
      for (let k = 0; k < 1000; k++) {
        const id = String(ms * 1000 + ((start + k) % 1000));
        if (!this.tasks.has(id)) return id;
      }
      ms += 1;
    }
  }

  /** Creates a task; it stays MODAL until enqueue() is called. */
  create(init: NewTask): SimTaskRecord {
    const now = this.settings.clock();
    const record: SimTaskRecord = {
      id: this.newId(),
      action: init.action,
      output: init.output,
      buttonSet: init.buttonSet,
      customId: init.customId ?? '',
      parentId: init.parentId,
      prompt: init.prompt,
      promptEn: init.prompt,
      finalPrompt: init.finalPrompt ?? finalPromptOf(init.prompt),
      resultText: init.resultText ?? '',
      description: init.description,
      state: init.state ?? '',
      botType: init.botType ?? 'MID_JOURNEY',
      mode: init.mode,
      messageHash: randomUUID(),
      tiles: init.tiles,
      width: init.width,
      height: init.height,
      submitTime: now,
      queuedAt: undefined,
      waitMs: 0,
      runMs: this.settings.runMs,
      steps: this.settings.progressSteps,
      notifyHook: init.notifyHook || undefined,
      modal: init.modal,
      maskBase64: '',
      inputImageUrl: init.inputImageUrl ?? '',
      videoType: init.videoType ?? '',
      motion: init.motion ?? '',
      batchSize: init.batchSize ?? 4,
      seed: init.seed,
    };
    this.tasks.set(record.id, record);
    return record;
  }

  /** Starts the life cycle: SUBMITTED for queueMs, then running in `steps` steps for runMs, then SUCCESS. */
  enqueue(record: SimTaskRecord): void {
    const s = this.settings;
    record.queuedAt = s.clock();
    record.runMs = s.runMs;
    record.steps = s.progressSteps;
    record.waitMs = s.queueMs;
    this.hooks.queued?.(record);
  }

  /** The task at `now`, as every reader sees it (the `view` hook's, when there is one). */
  view(record: SimTaskRecord, now = this.settings.clock()): TaskView {
    return this.hooks.view ? this.hooks.view(record, now, (at) => this.own(record, at)) : this.own(record, now);
  }

  /** The task at `now` as its timestamps make it. */
  private own(record: SimTaskRecord, now: number): TaskView {
    const empty = { percent: 0, startTime: undefined, finishTime: undefined, image: '', failReason: '', terminal: false };
    if (record.queuedAt === undefined) return { ...empty, status: 'MODAL', progress: '0%' };
    const elapsed = now - record.queuedAt;
    const startTime = record.queuedAt;
    if (elapsed < record.waitMs) {
      return { ...empty, status: 'SUBMITTED', progress: '0%', startTime, image: record.output === 'describe' ? record.inputImageUrl : '' };
    }
    const runElapsed = elapsed - record.waitMs;
    if (runElapsed >= record.runMs) {
      return {
        status: 'SUCCESS',
        progress: '100%',
        percent: 100,
        startTime,
        finishTime: record.queuedAt + record.waitMs + record.runMs,
        image: this.finalImage(record),
        failReason: '',
        terminal: true,
      };
    }
    const step = Math.min(record.steps - 1, Math.floor((runElapsed * record.steps) / record.runMs));
    const percent = Math.floor((step * 100) / record.steps);
    if (this.settings.family === 'open-source' && step === 0 && runElapsed < record.runMs / record.steps / 2) {
      return { ...empty, status: 'IN_PROGRESS', progress: 'Waiting to start', startTime };
    }
    return {
      ...empty,
      status: 'IN_PROGRESS',
      progress: `${percent}%`,
      percent,
      startTime,
      image: this.previewImage(record, percent),
    };
  }

  private finalImage(record: SimTaskRecord): string {
    switch (record.output) {
      case 'grid':
      case 'edit':
        return `/images/${record.id}/grid.png`;
      case 'single':
        return `/images/${record.id}/image.png`;
      case 'video':
      case 'video-single':
        return `/images/${record.id}/frame.png`;
      case 'describe':
        return record.inputImageUrl;
      default:
        return '';
    }
  }

  private previewImage(record: SimTaskRecord, percent: number): string {
    if (record.output === 'describe') return record.inputImageUrl;
    if (record.output === 'shorten' || record.output === 'none') return '';
    return `/images/${record.id}/preview-${percent}.png`;
  }
}
