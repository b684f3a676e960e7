import { InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { attachmentRef, type AttachmentRef } from '../src/discord/attachments';
import { imageOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startFromInteraction, type InteractionTaskSpec } from '../src/discord/start-task';
import type { Mode } from '../src/mj/modes';
import { checkPrompt } from '../src/mj/prompt';
import { described } from '../src/i18n';

/** What /imagine reads: kept with a start that waits for the member's choice, to start it again the same way. */
interface ImagineOptions {
  prompt: string;
  mode?: Mode | undefined;
  image?: AttachmentRef | undefined;
}

const imagine = (options: ImagineOptions): InteractionTaskSpec => ({
  title: (t) => t.titles.imagine,
  kind: '/imagine',
  prompt: options.prompt,
  usesPrefs: true,
  typed: true,
  replay: { entry: 'imagine', options: { ...options } },
  mode: options.mode,
  images: options.image ? [{ attachment: options.image, what: (t) => t.images.theReference }] : [],
  submit: ({ api, common, mode: sendMode, prompt: sent, images }) => api.submitImagine({ prompt: sent, base64Array: images, ...common }, sendMode),
});

export default {
  data: {
    name: 'imagine',
    ...described((t) => t.commands.imagine.description),
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption((t) => t.commands.imagine.prompt),
      imageOption('image', (t) => t.commands.imagine.image),
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const mode = readMode(interaction, ctx.upstreams);
    const image = interaction.options.getAttachment('image');
    await startFromInteraction(interaction, ctx, imagine({ prompt, mode, image: image ? attachmentRef(image) : undefined }));
  },
  resume: (interaction, ctx, choice) => startFromInteraction(interaction, ctx, imagine(choice.options as unknown as ImagineOptions), choice),
} satisfies Command;
