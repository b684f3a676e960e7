import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { ipLiteral, isPublicAddress } from './addresses';

/** How names are resolved: the system's resolver, or one a test points at chosen addresses. */
export type Resolve = (hostname: string, callback: (err: Error | null, addresses: LookupAddress[]) => void) => void;

export const systemResolve: Resolve = (hostname, callback) => dnsLookup(hostname, { all: true }, callback);

/** Names that only ever mean "this machine or its network"; other names are judged by what they resolve to. */
const LOCAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)\.?$/i;

/** Why `url` may not be fetched from a public network: its scheme, an address or a name that is not public. */
export function staticRefusal(url: URL): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `scheme ${url.protocol} is not http(s)`;
  const ip = ipLiteral(url.hostname);
  if (ip !== undefined) return isPublicAddress(ip) ? undefined : `${url.hostname} is not a public address`;
  return LOCAL_NAMES.test(url.hostname) ? `${url.hostname} is a local name` : undefined;
}

/** Every address must be public: a name that also resolves privately could be answered either way. */
export const allPublic = (addresses: readonly LookupAddress[]): boolean =>
  addresses.length > 0 && addresses.every((entry) => isPublicAddress(entry.address));

/**
 * Why a link a member typed must not go to the API, or undefined. The API fetches it from its own network (a
 * self-hosted proxy sits beside internal services), so it must name a public address now, as the bot resolves
 * it; a name that does not resolve is refused too (it could resolve inside the API's network only).
 */
export async function linkRefusal(url: URL, resolve: Resolve): Promise<string | undefined> {
  const refused = staticRefusal(url);
  if (refused || ipLiteral(url.hostname) !== undefined) return refused;
  const addresses = await new Promise<LookupAddress[] | undefined>((done) => resolve(url.hostname, (err, found) => done(err ? undefined : found)));
  if (!addresses) return `${url.hostname} does not resolve`;
  return allPublic(addresses) ? undefined : `${url.hostname} resolves to an address that is not public`;
}
