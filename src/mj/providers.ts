import { actionInfo } from './actions';

/**
 * What differs between the servers that speak the midjourney-proxy API
 * (self-hosted servers and new-api based resellers). Explicit MJ_* variables override a preset.
 */
export const PROVIDER_NAMES = ['custom', 'midjourney-proxy', 'trueai', 'new-api', 'yescale', 'maxapi', 'openai-hk'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

export interface ProviderPreset {
  name: ProviderName;
  title: string;
  authHeader: 'mj-api-secret' | 'bearer';
  /** Path template between the base URL and `/mj`, e.g. `/mj-{mode}`; undefined: mode goes into the prompt as --fast/--relax. */
  modePrefix: string | undefined;
  modes: ReadonlyArray<'fast' | 'relax' | 'turbo'>;
  /** Refuses the actions new-api based resellers refuse on /mj/submit/action (actions.ts: refusedByResellers). */
  refusesResellerActions: boolean;
  /** Path of a separate video fetch endpoint (YEScale), `{id}` replaced. */
  videoFetchPath: string | undefined;
  /** Whether the provider forwards notifyHook callbacks (new-api strips them by default). */
  callsNotifyHook: boolean;
  maxPromptLength: number;
  /** Whether the provider also sells an OpenAI-compatible chat API under the same key (the default translator). */
  sellsChat: boolean;
}

const base: Omit<ProviderPreset, 'name' | 'title'> = {
  authHeader: 'mj-api-secret',
  modePrefix: undefined,
  modes: ['fast', 'relax', 'turbo'],
  refusesResellerActions: false,
  videoFetchPath: undefined,
  callsNotifyHook: true,
  maxPromptLength: 6000,
  sellsChat: false,
};

const reseller: Omit<ProviderPreset, 'name' | 'title'> = {
  ...base,
  authHeader: 'bearer',
  modePrefix: '/mj-{mode}',
  refusesResellerActions: true,
  callsNotifyHook: false,
  maxPromptLength: 4000,
  sellsChat: true,
};

export const PROVIDERS: Record<ProviderName, ProviderPreset> = {
  custom: { ...base, name: 'custom', title: 'Any compatible server (settings from MJ_* variables)' },
  'midjourney-proxy': { ...base, name: 'midjourney-proxy', title: 'Self-hosted midjourney-proxy (novicezk / plus)' },
  trueai: { ...base, name: 'trueai', title: 'Self-hosted trueai-org/midjourney-proxy', modePrefix: '/mj-{mode}' },
  'new-api': { ...reseller, name: 'new-api', title: 'new-api / one-api relay' },
  yescale: { ...reseller, name: 'yescale', title: 'YEScale', modePrefix: undefined, videoFetchPath: '/mjvideo/fetch/{id}' },
  maxapi: { ...reseller, name: 'maxapi', title: 'MaxAPI' },
  'openai-hk': { ...reseller, name: 'openai-hk', title: 'openai-hk', modePrefix: '/{mode}', modes: ['fast', 'relax'] },
};

/** Whether the provider's `/mj/submit/action` takes this customId (resellers refuse PicReader, animate, …). */
export function actionAccepted(preset: ProviderPreset, customId: string): boolean {
  return !(preset.refusesResellerActions && actionInfo(customId).refusedByResellers);
}

/**
 * Buttons whose chosen prompt the bot can start as a plain /imagine when the provider refuses the action:
 * PicReader N (after /describe) and PromptAnalyzer N (after /shorten).
 */
const imagineFallback = (customId: string): boolean => actionInfo(customId).imagineFallback;

/**
 * Buttons the bot cannot offer on this provider at all: hidden from cards, explained when clicked.
 * A refused action with an /imagine fallback stays usable.
 */
export function providerRejects(preset: ProviderPreset, customId: string): boolean {
  return !actionAccepted(preset, customId) && !imagineFallback(customId);
}
