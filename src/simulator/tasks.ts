import { randomInt, randomUUID } from 'node:crypto';
import type { ButtonSet, ModalKind, OutputKind, Settings, SimMode, SimTaskRecord, TileParams } from './types';

/**
 * Task records and their life cycle. Nothing runs per task: the status, progress and image of a task are
 * computed from (clock − timestamps) whenever somebody asks (fetch, list, notifyHook tick).
 */

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
  /** Queued tasks not yet seen terminal (pruned lazily by inFlight()). */
  private readonly active = new Set<string>();

  constructor(private readonly settings: Settings) {}

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
      notStartMs: 0,
      runMs: this.settings.runMs,
      steps: this.settings.progressSteps,
      plannedFailure: undefined,
      forcedFailure: undefined,
      stalledAt: undefined,
      pausedMs: 0,
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

  /** Starts the life cycle: NOT_START for `notStartMs` (queued, code 22), SUBMITTED for queueMs, then running. */
  enqueue(record: SimTaskRecord, notStartMs = 0): void {
    const s = this.settings;
    record.queuedAt = s.clock();
    record.runMs = s.runMs;
    record.steps = s.progressSteps;
    record.notStartMs = Number.isFinite(notStartMs) ? Math.max(0, notStartMs) : 0;
    record.waitMs = record.notStartMs + s.queueMs;
    const text = record.prompt.toLowerCase();
    const banned = s.family === 'open-source' ? undefined : s.bannedWords.find((w) => w && text.includes(w.toLowerCase()));
    const failWord = s.failPrompts.find((w) => w && text.includes(w.toLowerCase()));
    if (banned !== undefined) record.plannedFailure = { reason: '可能包含敏感词', atElapsed: record.waitMs };
    else if (failWord !== undefined) {
      record.plannedFailure = {
        reason: `[Simulated failure] The prompt contains "${failWord}"`,
        atElapsed: record.waitMs + record.runMs / 2,
      };
    }
    this.active.add(record.id);
  }

  view(record: SimTaskRecord, now = this.settings.clock()): TaskView {
    const empty = { percent: 0, startTime: undefined, finishTime: undefined, image: '', failReason: '', terminal: false };
    const base = record.queuedAt === undefined ? record.submitTime : record.queuedAt + record.pausedMs;
    const forced = record.forcedFailure;
    if (forced && now >= forced.at) {
      const started = record.queuedAt !== undefined && forced.at - base >= record.notStartMs;
      return this.failure(forced.reason, started ? base + record.notStartMs : undefined, forced.at);
    }
    if (record.queuedAt === undefined) return { ...empty, status: 'MODAL', progress: '0%' };
    const elapsed = (record.stalledAt ?? now) - record.queuedAt - record.pausedMs;
    const startTime = elapsed >= record.notStartMs ? base + record.notStartMs : undefined;
    const planned = record.plannedFailure;
    if (planned && elapsed >= planned.atElapsed) return this.failure(planned.reason, startTime, base + planned.atElapsed);
    if (elapsed < record.waitMs) {
      const status = elapsed < record.notStartMs ? 'NOT_START' : 'SUBMITTED';
      return { ...empty, status, progress: '0%', startTime, image: record.output === 'describe' ? record.inputImageUrl : '' };
    }
    const runElapsed = elapsed - record.waitMs;
    if (runElapsed >= record.runMs) {
      return {
        status: 'SUCCESS',
        progress: '100%',
        percent: 100,
        startTime,
        finishTime: base + record.waitMs + record.runMs,
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

  private failure(reason: string, startTime: number | undefined, at: number): TaskView {
    const progress = this.settings.family === 'reseller' ? '100%' : '';
    return { status: 'FAILURE', progress, percent: 0, startTime, finishTime: at, image: '', failReason: reason, terminal: true };
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

  /** Number of queued or running tasks. */
  inFlight(): number {
    const now = this.settings.clock();
    let count = 0;
    for (const id of this.active) {
      const record = this.tasks.get(id);
      if (!record || this.view(record, now).terminal) this.active.delete(id);
      else count++;
    }
    return count;
  }

  stall(record: SimTaskRecord, stalled: boolean): void {
    const now = this.settings.clock();
    if (stalled && record.stalledAt === undefined) record.stalledAt = now;
    if (!stalled && record.stalledAt !== undefined) {
      record.pausedMs += now - record.stalledAt;
      record.stalledAt = undefined;
    }
  }

  /** Ends a task FAILURE now (no effect on a task already finished). */
  fail(record: SimTaskRecord, reason: string): void {
    const now = this.settings.clock();
    if (this.view(record, now).terminal) return;
    record.forcedFailure = { reason, at: now };
  }
}
