import { z } from 'zod';
import type { Logger } from '../logger';
import { Downloader, DownloadRefused } from '../net/downloader';
import type { Resolve } from '../net/links';
import type { Scrubber } from '../secrets';
import { hasCjk } from './prompt-parts';

/** Why a translation failed, as the member is told: the service, its time, or what it answered. */
export type TranslationProblem = 'unavailable' | 'timeout' | 'unusable' | 'too-long';

export class TranslationFailed extends Error {
  constructor(
    readonly problem: TranslationProblem,
    message: string,
  ) {
    super(message);
    this.name = 'TranslationFailed';
  }
}

/** An answer larger than this is not a translation of one prompt. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** What the model is told; the answer is checked anyway (CJK left, empty, structure it must not add). */
const INSTRUCTIONS =
  'Translate the text into English for a Midjourney image prompt. Reply with the English translation only: no quotes, ' +
  'no notes, no explanations, nothing added. Keep names, numbers and punctuation.';

const answerSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1) });
const errorSchema = z.object({ error: z.object({ message: z.string() }) });

/** Longest answer taken for a text of `length` characters: English runs longer than Chinese, not tenfold. */
const longestAnswer = (length: number) => length * 8 + 200;
/** Tokens the model may spend on it (an English word is about a token; a Han character about one word). */
const maxTokens = (length: number) => Math.min(2048, length * 4 + 64);

/** The answer as prompt text: one line, without the quotes models like to add. */
function cleaned(content: string): string {
  const line = content.replace(/\s+/g, ' ').trim();
  const quoted = /^(["“'「『])([\s\S]*)(["”'」』])$/.exec(line);
  return (quoted ? quoted[2]! : line).trim();
}

export interface ChatTranslatorOptions {
  /** The chat API's base URL: requests go to `{url}/v1/chat/completions` (a trailing `/v1` is taken as said once). */
  url: string;
  key: string | undefined;
  model: string;
  scrubber: Scrubber;
  logger: Logger;
  resolve?: Resolve;
}

/**
 * One text in, its English out, through an OpenAI-compatible chat API (the provider's own, usually). The request
 * goes through the downloads' address rules with its configured origin trusted (a proxy on the LAN works; nothing
 * else is reached); the answer is bounded in size and time; the key is sent in the header only and never logged,
 * and what the service says back is scrubbed of every secret before it reaches a log line or a member.
 */
export class ChatTranslator {
  private readonly endpoint: string;
  private readonly downloader: Downloader;

  constructor(private readonly options: ChatTranslatorOptions) {
    this.endpoint = `${options.url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1/chat/completions`;
    this.downloader = new Downloader({ trustedOrigins: [new URL(options.url).origin], ...(options.resolve ? { resolve: options.resolve } : {}) });
  }

  get model(): string {
    return this.options.model;
  }

  /** The English of `text`, within `timeoutMs`; TranslationFailed otherwise. */
  async translate(text: string, timeoutMs: number): Promise<string> {
    const { key, model, scrubber } = this.options;
    const body = JSON.stringify({
      model,
      temperature: 0,
      max_tokens: maxTokens(text.length),
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: text },
      ],
    });
    let answer: { status: number; bytes: Buffer | undefined };
    try {
      answer = await this.downloader.post(this.endpoint, {
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body,
        maxBytes: MAX_ANSWER_BYTES,
        timeoutMs: Math.max(1, timeoutMs),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') throw new TranslationFailed('timeout', `no answer within ${timeoutMs} ms`);
      const why = error instanceof DownloadRefused ? error.message : ((error as { code?: string }).code ?? (error as Error).name);
      throw new TranslationFailed('unavailable', scrubber.scrub(`request failed: ${why}`));
    }
    if (!answer.bytes) throw new TranslationFailed('unusable', `answer larger than ${MAX_ANSWER_BYTES} bytes`);
    let json: unknown;
    try {
      json = JSON.parse(answer.bytes.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (answer.status !== 200) {
      const said = errorSchema.safeParse(json);
      throw new TranslationFailed('unavailable', scrubber.scrub(`HTTP ${answer.status}${said.success ? `: ${said.data.error.message.slice(0, 300)}` : ''}`));
    }
    const parsed = answerSchema.safeParse(json);
    const english = cleaned(parsed.success ? (parsed.data.choices[0]!.message.content ?? '') : '');
    if (!parsed.success) throw new TranslationFailed('unusable', 'the answer is not a chat completion');
    if (!english) throw new TranslationFailed('unusable', 'the answer is empty');
    if (hasCjk(english)) throw new TranslationFailed('unusable', 'the answer is not English');
    if (english.length > longestAnswer(text.length)) throw new TranslationFailed('unusable', 'the answer is far longer than the text');
    // Words only: an answer that would add a parameter, a weight or a permutation would change what the prompt does.
    if (/::|[{}]|(^|\s)--[a-z]/i.test(english)) throw new TranslationFailed('unusable', 'the answer adds prompt syntax');
    return english;
  }

  async close(): Promise<void> {
    await this.downloader.close();
  }
}
