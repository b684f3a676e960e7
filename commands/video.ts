import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { UserError } from '../src/errors';
import { attachmentRef, checkLink, type AttachmentRef } from '../src/discord/attachments';
import { choiceOption, imageOption, linkOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startFromInteraction, type InteractionTaskSpec } from '../src/discord/start-task';
import type { Mode } from '../src/mj/modes';
import { checkPrompt } from '../src/mj/prompt';
import { described, named } from '../src/i18n';

/** What /video reads: kept with a start that waits for the member's choice, to start it again the same way. */
interface VideoOptions {
  prompt: string;
  mode?: Mode | undefined;
  image?: AttachmentRef | undefined;
  /** A link already checked (http(s), public). */
  link?: string | undefined;
  motion: 'low' | 'high';
  hd: boolean;
}

const video = (options: VideoOptions): InteractionTaskSpec => ({
  title: options.hd ? (t) => t.titles.videoHd : (t) => t.titles.video,
  kind: '/video',
  prompt: options.prompt,
  typed: true,
  replay: { entry: 'video', options: { ...options } },
  mode: options.mode,
  images: options.image ? [{ attachment: options.image, what: (t) => t.images.theFrame }] : [],
  submit: ({ api, common, mode: sendMode, prompt: sent, images: [attached] }) => {
    const frame = attached ?? options.link;
    const videoType = options.hd ? 'vid_1.1_i2v_720' : 'vid_1.1_i2v_480';
    return api.submitVideo({ prompt: sent, ...(frame ? { image: frame } : {}), motion: options.motion, videoType, ...common }, sendMode);
  },
});

export default {
  data: {
    name: 'video',
    ...described((t) => t.commands.video.description),
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption((t) => t.commands.video.prompt),
      imageOption('image', (t) => t.commands.video.image),
      linkOption((t) => t.commands.video.link),
      choiceOption('motion', (t) => t.commands.video.motion, ['low', 'high']),
      { type: ApplicationCommandOptionType.Boolean, ...named('hd'), ...described((t) => t.commands.video.hd), required: false },
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.upstreams);
    const image = interaction.options.getAttachment('image');
    const rawLink = interaction.options.getString('link');
    if (image && rawLink?.trim()) throw new UserError((t) => t.input.frameImageOrLink);
    const link = rawLink?.trim() ? await checkLink(ctx, rawLink, (t) => t.images.theLink) : undefined;
    await startFromInteraction(
      interaction,
      ctx,
      video({
        prompt,
        mode: readMode(interaction, ctx.upstreams),
        image: image ? attachmentRef(image) : undefined,
        link,
        motion: interaction.options.getString('motion') === 'high' ? 'high' : 'low',
        hd: interaction.options.getBoolean('hd') === true,
      }),
    );
  },
  resume: (interaction, ctx, choice) => startFromInteraction(interaction, ctx, video(choice.options as unknown as VideoOptions), choice),
} satisfies Command;
