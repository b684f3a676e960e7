import { LocalDiscord, PERMISSION_VIEW_CHANNEL, type LocalDiscordOptions, type RestCall, type RestHooks, type RestReply } from '../../src/playground/discord';
import type { World } from '../../src/playground/discord/world';

/**
 * Test tooling around the local Discord (which itself only plays Discord, for the playground and the tests): a log
 * of every REST call, failures injected into the next matching calls, a hidden channel and a fixed token. It hooks
 * in through `RestHooks`; the product never loads this file.
 */

/** A failure the next matching call(s) get instead of their route's answer, once Discord's rules let them through. */
interface InjectedFailure {
  method?: string;
  /** Part of the route template (`'PATCH /webhooks'`), or a pattern over it. */
  route?: string | RegExp;
  status: number;
  code?: number;
  message?: string;
  retryAfterMs?: number;
  /** Only requests that upload files (Discord's 413 / 40005 for attachments over its limit). */
  withFiles?: boolean;
  /** How many calls fail (default 1). */
  times?: number;
}

/** A fixed token: a failing test's output reads the same from run to run. */
const TEST_BOT_TOKEN = 'local.bot.token-for-tests-only';

/** Adds `secret`: hidden from @everyone, shown to alice by a member overwrite (the visibility tests' channel). */
export const addSecretChannel = (world: World): string =>
  world.addChannel('secret', [
    { id: world.guildId, type: 0, allow: '0', deny: String(PERMISSION_VIEW_CHANNEL) },
    { id: world.alice.id, type: 1, allow: String(PERMISSION_VIEW_CHANNEL), deny: '0' },
  ]);

/** The hooks of one TestDiscord: the call log and the failures waiting for their calls. */
class CallTap implements RestHooks {
  /** Every call, in order, refused ones included; the log is never cut, as tests read it back whole. */
  readonly calls: RestCall[] = [];
  private readonly failures: Array<InjectedFailure & { times: number }> = [];

  onRequest(call: RestCall): void {
    this.calls.push(call);
  }

  async around(call: RestCall, next: () => Promise<RestReply>): Promise<RestReply> {
    const failure = this.take(call);
    if (!failure) return next();
    if (failure.status === 429) {
      const retryAfter = (failure.retryAfterMs ?? 500) / 1000;
      return {
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
        headers: { 'retry-after': String(Math.ceil(retryAfter)) },
      };
    }
    return { status: failure.status, body: { code: failure.code ?? 0, message: failure.message ?? 'Injected failure' } };
  }

  failNext(failure: InjectedFailure): void {
    this.failures.push({ ...failure, times: failure.times ?? 1 });
  }

  private take(call: RestCall): InjectedFailure | undefined {
    const index = this.failures.findIndex(
      (f) =>
        (!f.method || f.method === call.method) &&
        (!f.withFiles || call.files.length > 0) &&
        (!f.route || (typeof f.route === 'string' ? call.route.includes(f.route) : f.route.test(call.route))),
    );
    if (index < 0) return undefined;
    const failure = this.failures[index]!;
    failure.times -= 1;
    if (failure.times <= 0) this.failures.splice(index, 1);
    return failure;
  }
}

/** The local Discord with the test tooling attached. */
export class TestDiscord extends LocalDiscord {
  /** A channel hidden from @everyone and shown to alice (see addSecretChannel). */
  readonly secretChannelId: string;
  private readonly tap: CallTap;

  constructor(options: Omit<LocalDiscordOptions, 'hooks'> = {}) {
    const tap = new CallTap();
    super({ botToken: TEST_BOT_TOKEN, ...options, hooks: tap });
    this.tap = tap;
    this.secretChannelId = addSecretChannel(this.world);
  }

  /** Every REST call the local Discord saw, in order, with the status it answered. */
  get calls(): RestCall[] {
    return this.tap.calls;
  }

  /** 429s answered, Discord's own and injected ones. */
  get rateLimited(): number {
    return this.tap.calls.filter((call) => call.status === 429).length;
  }

  /** Makes the next matching REST call(s) fail, e.g. `{ route: 'PATCH /webhooks', status: 429, times: 2 }`. */
  failNext(failure: InjectedFailure): void {
    this.tap.failNext(failure);
  }
}

export async function startTestDiscord(options: Omit<LocalDiscordOptions, 'hooks'> = {}): Promise<TestDiscord> {
  return new TestDiscord(options).listen();
}
