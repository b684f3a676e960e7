import type { LocalInteraction, LocalMessage, LocalUser } from '../../src/playground/discord';
import { user } from '../../src/playground/discord/world';
import { encodePng } from '../../src/simulator';
import type { TestDiscord } from '../../test/support/discord';

type Json = Record<string, any>;

const buttonsOf = (message: LocalMessage): Json[] => (message.components as Json[]).flatMap((row) => (row.components ?? []) as Json[]);
const labelOf = (button: Json) => String(button.label ?? button.emoji?.name ?? '');
const isDone = (message: LocalMessage | undefined): message is LocalMessage =>
  Boolean(message && !message.deleted && message.components.length > 0 && /✅/.test(JSON.stringify(message.embeds)));

/**
 * The members of a soak: a few in each server, each doing what members do, chosen by the run's seeded generator —
 * /imagine (a prompt no one else sends: `#n`), U and V on their finished grids (each button once), a Custom Zoom
 * form on their upscales, /blend with two pictures of their own.
 */
export class Members {
  private readonly people: Array<{ user: LocalUser; channelId: string }> = [];
  /** Each member's cards, and the buttons already pressed on each. */
  private readonly cards = new Map<string, Array<{ interaction: LocalInteraction; pressed: Set<string> }>>();
  private count = 0;
  readonly actions = { imagine: 0, button: 0, zoom: 0, blend: 0 };

  constructor(
    private readonly discord: TestDiscord,
    private readonly random: () => number,
    channels: readonly string[],
    perChannel = 6,
  ) {
    for (const channelId of channels) {
      for (let i = 0; i < perChannel; i += 1) this.people.push({ user: user(discord.world.ids.next(), `member${this.people.length}`), channelId });
    }
  }

  /** One member does one thing. */
  act(): void {
    const who = this.people[Math.floor(this.random() * this.people.length)]!;
    const roll = this.random();
    const mine = this.cards.get(who.user.id) ?? [];
    const done = mine.filter((card) => isDone(this.discord.original(card.interaction)));
    if (roll < 0.3 && done.length) return this.press(who, done);
    if (roll < 0.4 && done.length) return this.zoom(who, done);
    if (roll < 0.5) return this.blend(who);
    this.imagine(who);
  }

  private remember(who: { user: LocalUser }, interaction: LocalInteraction): void {
    const list = this.cards.get(who.user.id) ?? [];
    list.push({ interaction, pressed: new Set() });
    // Bounded: a member's last 20 cards are enough to choose from.
    this.cards.set(who.user.id, list.slice(-20));
  }

  private imagine(who: { user: LocalUser; channelId: string }): void {
    this.count += 1;
    this.actions.imagine += 1;
    this.remember(who, this.discord.command('imagine', { prompt: `a soak fox #${this.count}` }, { user: who.user, channelId: who.channelId }));
  }

  private press(who: { user: LocalUser }, done: Array<{ interaction: LocalInteraction; pressed: Set<string> }>): void {
    const card = done[Math.floor(this.random() * done.length)]!;
    const message = this.discord.original(card.interaction)!;
    const choices = buttonsOf(message).filter((b) => /^[UV][1-4]$/.test(labelOf(b)) && !card.pressed.has(labelOf(b)));
    const button = choices[Math.floor(this.random() * choices.length)];
    if (!button) return;
    card.pressed.add(labelOf(button));
    this.actions.button += 1;
    this.remember(who, this.discord.click(message.id, String(button.custom_id), { user: who.user }));
  }

  private zoom(who: { user: LocalUser }, done: Array<{ interaction: LocalInteraction; pressed: Set<string> }>): void {
    const card = done.find((c) => !c.pressed.has('Custom Zoom') && buttonsOf(this.discord.original(c.interaction)!).some((b) => labelOf(b) === 'Custom Zoom'));
    if (!card) return;
    card.pressed.add('Custom Zoom');
    const message = this.discord.original(card.interaction)!;
    const button = buttonsOf(message).find((b) => labelOf(b) === 'Custom Zoom')!;
    const click = this.discord.click(message.id, String(button.custom_id), { user: who.user });
    this.actions.zoom += 1;
    // The form opens as the click's first answer; its prompt goes in when it does (or never, if no process answered).
    void this.discord
      .answered(click, 3_500)
      .then((callback) => {
        if (callback.type !== 9) return;
        this.count += 1;
        this.remember(who, this.discord.submitModal(click, { prompt: `a wider soak fox #${this.count} --zoom 1.5` }, { user: who.user }));
      })
      .catch(() => undefined);
  }

  private blend(who: { user: LocalUser; channelId: string }): void {
    this.count += 1;
    this.actions.blend += 1;
    // Pictures of their own: the first pixel holds the action's number and the rest the picture's, so every blend's
    // images differ and a blend sent twice would be seen. (A fill of (count × 7 + n) mod 256 repeated every 256
    // actions: a 10-minute run of seed 20261203 counted two members' blends as one sent twice.)
    const picture = (n: number) => {
      const pixels = Buffer.alloc(16 * 16 * 4, n);
      pixels.writeUInt32BE(this.count, 0);
      return this.discord.addAttachment(`blend-${this.count}-${n}.png`, encodePng(16, 16, pixels, 4), 'image/png');
    };
    this.remember(who, this.discord.command('blend', { image1: picture(1), image2: picture(2) }, { user: who.user, channelId: who.channelId }));
  }
}
