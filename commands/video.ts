import { ApplicationCommandOptionType, InteractionContextType } from 'discord.js';
import type { Command } from '../src/discord/context';
import { UserError } from '../src/errors';
import { checkLink, withImages } from '../src/discord/attachments';
import { checkPrompt, choiceOption, imageOption, linkOption, modeOption, promptOption, readMode } from '../src/discord/input';
import { startTask } from '../src/discord/start-task';

export default {
  startsTask: true,
  data: {
    name: 'video',
    description: 'Animate a picture into short videos with Midjourney',
    contexts: [InteractionContextType.Guild],
    options: [
      promptOption('What happens in the video'),
      imageOption('image', 'The first frame (or give a link)'),
      linkOption('A web link to the first frame (or attach it)'),
      choiceOption('motion', 'How much movement (default: low)', [
        ['low', 'low'],
        ['high', 'high'],
      ]),
      { type: ApplicationCommandOptionType.Boolean, name: 'hd', description: 'Render in 720p instead of 480p', required: false },
      modeOption,
    ],
  },
  async execute(interaction, ctx) {
    const prompt = checkPrompt(interaction.options.getString('prompt'), ctx.provider);
    const image = interaction.options.getAttachment('image');
    const rawLink = interaction.options.getString('link');
    if (image && rawLink?.trim()) throw new UserError('Give either an image or a link for the first frame, not both.');
    const link = rawLink?.trim() ? checkLink(rawLink, 'The link') : undefined;
    const motion = interaction.options.getString('motion') === 'high' ? 'high' : 'low';
    const videoType = interaction.options.getBoolean('hd') ? 'vid_1.1_i2v_720' : 'vid_1.1_i2v_480';
    const mode = readMode(interaction, ctx.provider);
    await withImages(ctx, image ? [{ attachment: image, what: 'The first frame' }] : [], async (download) => {
      await interaction.deferReply();
      const frame = (await download())[0] ?? link;
      await startTask(interaction, ctx, {
        title: videoType === 'vid_1.1_i2v_720' ? 'Video (HD)' : 'Video',
        prompt,
        mode,
        submit: (common, sendMode) => ctx.mj.submitVideo({ prompt, ...(frame ? { image: frame } : {}), motion, videoType, ...common }, sendMode),
      });
    });
  },
} satisfies Command;
