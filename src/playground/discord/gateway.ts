import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalUser } from './wire-types';

interface Session {
  sequence: number;
  identified: boolean;
  shard: [number, number];
}

const holds = (shard: [number, number], guildId: unknown) =>
  typeof guildId !== 'string' || Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];

export interface GatewayWorld {
  botUser: LocalUser;
  applicationId: string;
  /** A fresh id (session ids). */
  newId(): string;
  /** Every guild the bot is in (each session gets those of its shard). */
  guilds(): Array<Record<string, unknown>>;
  resumeUrl(): string;
}

/**
 * The gateway: hello, identify → ready + a GUILD_CREATE per guild of the session's shard, heartbeat ack, and
 * dispatch of each event to the sessions whose shard holds its guild ((guild_id >> 22) % shard count), as Discord
 * routes them.
 */
export class LocalGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<WebSocket, Session>();
  /** Shards identified so far, as `[id, count]`, in order. */
  readonly identified: Array<[number, number]> = [];
  private identifyWaiters: Array<() => void> = [];
  identifyCount = 0;

  constructor(private readonly world: GatewayWorld) {
    this.wss.on('connection', (socket, request) => this.accept(socket, request));
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  get connected(): number {
    return [...this.sessions.values()].filter((s) => s.identified).length;
  }

  /** Resolves once a client has identified (at least `count` times since the local Discord started). */
  waitForIdentify(count = 1, timeoutMs = 10_000): Promise<void> {
    if (this.identifyCount >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no gateway identify #${count} within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.identifyCount >= count) {
          clearTimeout(timer);
          resolve();
        } else this.identifyWaiters.push(check);
      };
      check();
    });
  }

  dispatch(event: string, data: unknown): number {
    let delivered = 0;
    const guildId = (data as { guild_id?: unknown } | null)?.guild_id;
    for (const [socket, session] of this.sessions) {
      if (!session.identified || socket.readyState !== socket.OPEN || !holds(session.shard, guildId)) continue;
      session.sequence += 1;
      socket.send(JSON.stringify({ op: 0, t: event, s: session.sequence, d: data }));
      delivered += 1;
    }
    return delivered;
  }

  /** Drops every connection abruptly (as a network failure would). */
  dropAll(): void {
    for (const socket of this.sessions.keys()) socket.terminate();
    this.sessions.clear();
  }

  close(): void {
    this.dropAll();
    this.wss.close();
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const url = new URL(request.url ?? '/', 'http://local');
    if (url.searchParams.get('compress') || url.searchParams.get('encoding') === 'etf') {
      socket.close(4012, 'the local discord speaks json without compression only');
      return;
    }
    const session: Session = { sequence: 0, identified: false, shard: [0, 1] };
    this.sessions.set(socket, session);
    socket.on('close', () => this.sessions.delete(socket));
    socket.on('error', () => this.sessions.delete(socket));
    socket.on('message', (raw) => {
      let packet: { op: number; d: any };
      try {
        packet = JSON.parse(String(raw));
      } catch {
        socket.close(4002, 'decode error');
        return;
      }
      if (packet.op === 1) socket.send(JSON.stringify({ op: 11 }));
      else if (packet.op === 2 || packet.op === 6) {
        const shard = packet.d?.shard;
        if (Array.isArray(shard) && shard.length === 2) session.shard = [Number(shard[0]), Number(shard[1])];
        this.identify(socket, session);
      }
    });
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
  }

  private identify(socket: WebSocket, session: Session): void {
    session.identified = true;
    this.identified.push(session.shard);
    const guilds = this.world.guilds().filter((guild) => holds(session.shard, guild.id));
    const send = (t: string, d: unknown) => {
      session.sequence += 1;
      socket.send(JSON.stringify({ op: 0, t, s: session.sequence, d }));
    };
    send('READY', {
      v: 10,
      user: { ...this.world.botUser, verified: true, mfa_enabled: false, flags: 0 },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: this.world.newId(),
      resume_gateway_url: this.world.resumeUrl(),
      shard: session.shard,
      application: { id: this.world.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
    });
    for (const guild of guilds) send('GUILD_CREATE', guild);
    this.identifyCount += 1;
    const waiters = this.identifyWaiters;
    this.identifyWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
