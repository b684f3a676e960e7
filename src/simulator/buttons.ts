import type { ButtonSet } from './types';

/** The button catalogue and the parsing of a pressed customId. */

export interface SimButton {
  customId: string;
  emoji: string;
  label: string;
  type: 2;
  style: number;
}

const btn = (customId: string, label: string, emoji = '', style = 2): SimButton => ({ customId, emoji, label, type: 2, style });
const KEYCAPS = ['1️⃣', '2️⃣', '3️⃣', '4️⃣', '5️⃣'];
const ONE_TO_FOUR = [1, 2, 3, 4];

function gridButtons(h: string): SimButton[] {
  return [
    ...ONE_TO_FOUR.map((i) => btn(`MJ::JOB::upsample::${i}::${h}`, `U${i}`)),
    btn(`MJ::JOB::reroll::0::${h}::SOLO`, '', '🔄'),
    ...ONE_TO_FOUR.map((i) => btn(`MJ::JOB::variation::${i}::${h}`, `V${i}`)),
  ];
}

function upscaleButtons(h: string, withUpscale: boolean): SimButton[] {
  return [
    ...(withUpscale
      ? [
          btn(`MJ::JOB::upsample_v7_2x_subtle::1::${h}::SOLO`, 'Upscale (Subtle)', 'upscale_1'),
          btn(`MJ::JOB::upsample_v7_2x_creative::1::${h}::SOLO`, 'Upscale (Creative)', 'upscale_1'),
        ]
      : []),
    btn(`MJ::JOB::low_variation::1::${h}::SOLO`, 'Vary (Subtle)', '🪄'),
    btn(`MJ::JOB::high_variation::1::${h}::SOLO`, 'Vary (Strong)', '🪄'),
    btn(`MJ::Inpaint::1::${h}::SOLO`, 'Vary (Region)', '🖌️'),
    btn(`MJ::Outpaint::50::1::${h}::SOLO`, 'Zoom Out 2x', '🔍'),
    btn(`MJ::Outpaint::75::1::${h}::SOLO`, 'Zoom Out 1.5x', '🔍'),
    btn(`MJ::CustomZoom::${h}`, 'Custom Zoom', '🔍'),
    btn(`MJ::JOB::pan_left::1::${h}::SOLO`, '', '⬅️'),
    btn(`MJ::JOB::pan_right::1::${h}::SOLO`, '', '➡️'),
    btn(`MJ::JOB::pan_up::1::${h}::SOLO`, '', '⬆️'),
    btn(`MJ::JOB::pan_down::1::${h}::SOLO`, '', '⬇️'),
    btn(`MJ::JOB::animate_high::1::${h}::SOLO`, 'Animate (High motion)', '🎞️'),
    btn(`MJ::JOB::animate_low::1::${h}::SOLO`, 'Animate (Low motion)', '🎞️'),
    btn(`MJ::BOOKMARK::${h}`, '', '❤️'),
  ];
}

/** The buttons a SUCCESS task of `set` carries; `h` is its messageHash. */
export function buttonsFor(set: ButtonSet, h: string): SimButton[] {
  switch (set) {
    case 'grid':
      return gridButtons(h);
    case 'upscale':
      return upscaleButtons(h, true);
    case 'upscale-hd':
      return upscaleButtons(h, false);
    case 'describe':
      return [
        ...ONE_TO_FOUR.map((i) => btn(`MJ::Job::PicReader::${i}`, '', KEYCAPS[i - 1])),
        btn('MJ::Picread::Retry', '', '🔄'),
        btn('MJ::Job::PicReader::all', 'Imagine all', '🎉'),
      ];
    case 'shorten':
    case 'shorten-extended':
      return [
        ...[1, 2, 3, 4, 5].map((i) => btn(`MJ::Job::PromptAnalyzer::${h}::SOLO::${i}`, '', KEYCAPS[i - 1])),
        ...(set === 'shorten' ? [btn(`MJ::Job::PromptAnalyzerExtended::${h}::SOLO`, 'Show Details')] : []),
      ];
    case 'video':
      return [
        ...ONE_TO_FOUR.map((i) => btn(`MJ::JOB::video_virtual_upscale::${i}::${h}`, `U${i}`)),
        btn(`MJ::JOB::reroll::0::${h}::SOLO`, '', '🔄'),
      ];
    case 'video-upscaled':
      return [
        btn(`MJ::JOB::animate_high_extend::1::${h}`, 'Extend (High motion)', '🎞️'),
        btn(`MJ::JOB::animate_low_extend::1::${h}`, 'Extend (Low motion)', '🎞️'),
      ];
    default:
      return [];
  }
}

/** What pressing a button does. */
export type ParsedAction =
  | { kind: 'upscale'; index: number }
  | { kind: 'upscale-hd'; creative: boolean }
  | { kind: 'variation'; index: number }
  | { kind: 'vary'; strong: boolean }
  | { kind: 'reroll' }
  | { kind: 'pan'; direction: 'left' | 'right' | 'up' | 'down' }
  | { kind: 'outpaint'; percent: number }
  | { kind: 'custom-zoom' }
  | { kind: 'inpaint' }
  | { kind: 'animate'; motion: 'high' | 'low' }
  | { kind: 'animate-extend'; motion: 'high' | 'low' }
  | { kind: 'video-upscale'; index: number }
  | { kind: 'bookmark' }
  | { kind: 'pic-reader'; index: number }
  | { kind: 'pic-reader-all' }
  | { kind: 'picread-retry' }
  | { kind: 'prompt-analyzer'; index: number }
  | { kind: 'prompt-analyzer-extended' };


/** Parses a customId; undefined = "未知的 Action 类型". */
export function parseCustomId(customId: string): ParsedAction | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^MJ::JOB::upsample::([1-4])::/.exec(customId))) return { kind: 'upscale', index: Number(m[1]) };
  if ((m = /^MJ::JOB::upsample_v\w+?_(subtle|creative|2x|4x)::/.exec(customId)))
    return { kind: 'upscale-hd', creative: m[1] === 'creative' };
  if ((m = /^MJ::JOB::variation::([1-4])::/.exec(customId))) return { kind: 'variation', index: Number(m[1]) };
  if ((m = /^MJ::JOB::(low|high)_variation::/.exec(customId))) return { kind: 'vary', strong: m[1] === 'high' };
  if (/^MJ::JOB::reroll::/.test(customId)) return { kind: 'reroll' };
  if ((m = /^MJ::JOB::pan_(left|right|up|down)::/.exec(customId)))
    return { kind: 'pan', direction: m[1] as 'left' | 'right' | 'up' | 'down' };
  if ((m = /^MJ::Outpaint::(\d+)::/.exec(customId))) return { kind: 'outpaint', percent: Number(m[1]) };
  if (/^MJ::CustomZoom::/.test(customId)) return { kind: 'custom-zoom' };
  if (/^MJ::Inpaint::/.test(customId)) return { kind: 'inpaint' };
  if ((m = /^MJ::JOB::animate_(high|low)_extend::/.exec(customId)))
    return { kind: 'animate-extend', motion: m[1] as 'high' | 'low' };
  if ((m = /^MJ::JOB::animate_(high|low)::/.exec(customId))) return { kind: 'animate', motion: m[1] as 'high' | 'low' };
  if ((m = /^MJ::JOB::video_virtual_upscale::([1-4])::/.exec(customId)))
    return { kind: 'video-upscale', index: Number(m[1]) };
  if (/^MJ::BOOKMARK::/.test(customId)) return { kind: 'bookmark' };
  if (/^MJ::Job::PicReader::all$/.test(customId)) return { kind: 'pic-reader-all' };
  if ((m = /^MJ::Job::PicReader::([1-4])$/.exec(customId))) return { kind: 'pic-reader', index: Number(m[1]) };
  if (/^MJ::Picread::Retry$/.test(customId)) return { kind: 'picread-retry' };
  if (/^MJ::Job::PromptAnalyzerExtended::/.test(customId)) return { kind: 'prompt-analyzer-extended' };
  if ((m = /^MJ::Job::PromptAnalyzer::.*::([1-5])$/.exec(customId)))
    return { kind: 'prompt-analyzer', index: Number(m[1]) };
  return undefined;
}

/** Actions a new-api reseller refuses with `unknown_action:<customId>`. */
export function resellerRejects(action: ParsedAction): boolean {
  return [
    'pic-reader',
    'pic-reader-all',
    'picread-retry',
    'prompt-analyzer',
    'prompt-analyzer-extended',
    'animate',
    'animate-extend',
    'video-upscale',
    'bookmark',
  ].includes(action.kind);
}

/** Actions that open the remix modal when remix is on (or enableRemix is sent). */
export function remixSensitive(action: ParsedAction): boolean {
  return ['variation', 'vary', 'reroll', 'pan', 'animate'].includes(action.kind);
}
