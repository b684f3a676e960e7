import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { UserError } from '../src/errors';
import { checkLink } from '../src/discord/attachments';
import { choiceOption, imageOption, linkOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startFromInteraction } from '../src/discord/start-task';
import { checkPrompt } from '../src/mj/prompt';
import { described, named } from '../src/i18n';

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
    const motion = interaction.options.getString('motion') === 'high' ? 'high' : 'low';
    const hd = interaction.options.getBoolean('hd') === true;
    const mode = readMode(interaction, ctx.upstreams);
    await startFromInteraction(interaction, ctx, {
      title: hd ? (t) => t.titles.videoHd : (t) => t.titles.video,
      prompt,
      mode,
      images: image ? [{ attachment: image, what: (t) => t.images.theFrame }] : [],
      submit: ({ api, common, mode: sendMode, images: [attached] }) => {
        const frame = attached ?? link;
        return api.submitVideo({ prompt, ...(frame ? { image: frame } : {}), motion, videoType: hd ? 'vid_1.1_i2v_720' : 'vid_1.1_i2v_480', ...common }, sendMode);
      },
    });
  },
} satisfies Command;
