import { z } from 'zod';

/**
 * Response shapes of the whole API family, parsed leniently: every server and reseller
 * spells the same task a little differently.
 */

const idLike = z.union([z.string(), z.number()]).transform((value) => String(value));
const text = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((value) => (value === null || value === undefined ? '' : String(value)));
const epochMs = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((value) => {
    const n = typeof value === 'string' ? Number(value) : value;
    return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : undefined;
  });

/**
 * Some reseller docs render links as markdown: `[https://x](https://x)`.
 * @internal
 */
export function cleanUrl(raw: string): string {
  const trimmed = raw.trim();
  const markdown = /^\[([^\]]+)\]\(([^)]+)\)&?$/.exec(trimmed);
  return markdown ? (markdown[2] ?? trimmed) : trimmed;
}

const urlList = z
  .union([
    z.array(z.union([z.string(), z.object({ url: z.string().nullish() }).loose(), z.null()])),
    z.string(),
    z.null(),
  ])
  .optional()
  .transform((value) => {
    if (!value) return [] as string[];
    const items = typeof value === 'string' ? [value] : value;
    return items
      .map((item) => (typeof item === 'string' ? item : (item?.url ?? '')))
      .map(cleanUrl)
      .filter((url) => url.length > 0);
  });

const buttonSchema = z
  .object({
    customId: text,
    emoji: text,
    label: text,
    style: z.union([z.number(), z.string(), z.null()]).optional().transform((v) => Number(v ?? 2) || 2),
    type: z.union([z.number(), z.string(), z.null()]).optional().transform((v) => Number(v ?? 2) || 2),
  })
  .loose();
export type MjButton = Pick<z.infer<typeof buttonSchema>, 'customId' | 'emoji' | 'label' | 'style' | 'type'>;

const TASK_STATUSES = ['NOT_START', 'SUBMITTED', 'IN_PROGRESS', 'MODAL', 'SUCCESS', 'FAILURE', 'CANCEL'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number] | 'UNKNOWN';

/**
 * "45%" → 45; "Waiting to start" → 0; parses the first number before a percent sign.
 * @internal
 */
export function parseProgress(raw: string): number {
  const match = /(\d+(?:\.\d+)?)\s*%/.exec(raw);
  if (!match) return 0;
  return Math.max(0, Math.min(100, Math.round(Number(match[1]))));
}

const rawTaskSchema = z
  .object({
    id: idLike,
    action: text,
    status: text,
    progress: text,
    prompt: text,
    promptEn: text,
    description: text,
    failReason: text,
    state: text,
    mode: text,
    imageUrl: text,
    imageUrls: urlList,
    videoUrl: text,
    videoUrls: urlList,
    submitTime: epochMs,
    startTime: epochMs,
    finishTime: epochMs,
    buttons: z
      .union([z.array(z.union([buttonSchema, z.string(), z.null()])), z.null()])
      .optional()
      .transform((list) =>
        list === undefined ? undefined : (list ?? []).filter((b): b is z.infer<typeof buttonSchema> => typeof b === 'object' && b !== null),
      ),
    properties: z
      .union([z.record(z.string(), z.unknown()), z.null()])
      .optional()
      .transform((value) => value ?? {}),
  })
  .loose();

export interface MjTask {
  id: string;
  action: string;
  status: TaskStatus;
  /** 0–100, parsed from "N%" (text progress such as "Waiting to start" is 0). */
  progress: number;
  progressText: string;
  prompt: string;
  promptEn: string;
  description: string;
  failReason: string;
  state: string;
  mode: string;
  imageUrl: string;
  imageUrls: string[];
  videoUrls: string[];
  submitTime: number | undefined;
  startTime: number | undefined;
  finishTime: number | undefined;
  buttons: MjButton[];
  /** The server sent no `buttons` field at all: the open-source proxy, which has no /submit/action. */
  sendsNoButtons?: boolean;
  finalPrompt: string;
  properties: Record<string, unknown>;
}

export const taskSchema = rawTaskSchema.transform((raw): MjTask => {
  const status = raw.status.toUpperCase();
  const finalPrompt = typeof raw.properties.finalPrompt === 'string' ? raw.properties.finalPrompt : '';
  const videoUrls = raw.videoUrls.length > 0 ? raw.videoUrls : raw.videoUrl ? [cleanUrl(raw.videoUrl)] : [];
  return {
    id: raw.id,
    action: raw.action.toUpperCase(),
    status: (TASK_STATUSES as readonly string[]).includes(status) ? (status as TaskStatus) : 'UNKNOWN',
    progress: status === 'SUCCESS' ? 100 : parseProgress(raw.progress),
    progressText: raw.progress,
    prompt: raw.prompt,
    promptEn: raw.promptEn,
    description: raw.description,
    failReason: raw.failReason,
    state: raw.state,
    mode: raw.mode,
    imageUrl: cleanUrl(raw.imageUrl),
    imageUrls: raw.imageUrls,
    videoUrls,
    submitTime: raw.submitTime,
    startTime: raw.startTime,
    finishTime: raw.finishTime,
    buttons: (raw.buttons ?? []).map(({ customId, emoji, label, style, type }) => ({ customId, emoji, label, style, type })),
    ...(raw.buttons === undefined ? { sendsNoButtons: true } : {}),
    finalPrompt,
    properties: raw.properties,
  };
});


/** `{code, description, result, properties}`; result is a task id (string or number), an id list, or a seed. */
export const submitResultSchema = z
  .object({
    code: z.union([z.number(), z.string()]).transform(Number),
    description: text,
    result: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()])), z.null()]).optional(),
    properties: z
      .union([z.record(z.string(), z.unknown()), z.null()])
      .optional()
      .transform((value) => value ?? {}),
  })
  .loose();

/** trueai's second envelope: `{success:false, code:-1, message}`. */
export const failureEnvelopeSchema = z
  .object({ success: z.literal(false), code: z.union([z.number(), z.string()]).optional(), message: text })
  .loose();

/** new-api and OpenAI-style `{error:{message}}`. */
export const openAiErrorSchema = z.object({ error: z.object({ message: text, type: text.optional() }).loose() }).loose();
