import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { attachmentRef, type AttachmentRef } from '../src/discord/attachments';
import { imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import type { Mode } from '../src/mj/modes';
import { checkPrompt } from '../src/mj/prompt';
import { startFromInteraction, type InteractionTaskSpec } from '../src/discord/start-task';
import { described } from '../src/i18n';

/** What /edit reads: kept with a start that waits for the member's choice, to start it again the same way. */
interface EditOptions {
  prompt: string;
  mode?: Mode | undefined;
  image: AttachmentRef;
}

const edit = (options: EditOptions): InteractionTaskSpec => ({
  title: (t) => t.titles.edit,
  kind: '/edit',
  prompt: options.prompt,
  usesPrefs: true,
  typed: true,
  replay: { entry: 'edit', options: { ...options } },
  mode: options.mode,
  images: [{ attachment: options.image, what: (t) => t.images.theImage }],
  submit: ({ api, common, mode: sendMode, prompt: sent, images: [data] }) => api.submitEdits({ prompt: sent, image: data!, ...common }, sendMode),
});

export default {
  data: {
    name: 'edit',
    ...described((t) => t.commands.edit.description),
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption((t) => t.commands.edit.prompt),
      imageOption('image', (t) => t.commands.edit.image, true),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const image = interaction.options.getAttachment('image', true);
    const mode = readMode(interaction, ctx.upstreams);
    await startFromInteraction(interaction, ctx, edit({ prompt, mode, image: attachmentRef(image) }));
  },
  resume: (interaction, ctx, choice) => startFromInteraction(interaction, ctx, edit(choice.options as unknown as EditOptions), choice),
} satisfies Command;
