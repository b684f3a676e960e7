import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { modeOption, promptOption, readMode } from '../src/discord/input';
import type { Mode } from '../src/mj/modes';
import { checkPrompt } from '../src/mj/prompt';
import { startFromInteraction, type InteractionTaskSpec } from '../src/discord/start-task';
import { described } from '../src/i18n';

/** What /shorten reads: kept with a start that waits for the member's choice, to start it again the same way. */
interface ShortenOptions {
  prompt: string;
  mode?: Mode | undefined;
}

// Not the member's /settings (Midjourney analyses the words as they are), but in English: it reads no other language.
const shorten = (options: ShortenOptions): InteractionTaskSpec => ({
  title: (t) => t.titles.shorten,
  kind: '/shorten',
  prompt: options.prompt,
  typed: true,
  replay: { entry: 'shorten', options: { ...options } },
  mode: options.mode,
  submit: ({ api, common, mode: sendMode, prompt: sent }) => api.submitShorten({ prompt: sent, ...common }, sendMode),
});

export default {
  data: {
    name: 'shorten',
    ...described((t) => t.commands.shorten.description),
    contexts: [InteractionContextType.Guild],
    options: [promptOption((t) => t.commands.shorten.prompt), modeOption],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const mode = readMode(interaction, ctx.upstreams);
    await startFromInteraction(interaction, ctx, shorten({ prompt, mode }));
  },
  resume: (interaction, ctx, choice) => startFromInteraction(interaction, ctx, shorten(choice.options as unknown as ShortenOptions), choice),
} satisfies Command;
