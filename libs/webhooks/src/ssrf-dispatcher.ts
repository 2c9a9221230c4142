import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { blockedRangeOf, stripBrackets } from './ip-policy';
import type { WebhookTargetPolicy } from './url-policy';
import { SsrfBlockedError } from './webhooks.errors';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Turns a hostname into every address it may connect to. Injectable so tests can fake DNS. */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface SsrfSafeAgentOptions extends WebhookTargetPolicy {
  resolve?: HostResolver;
  /** TCP/TLS connect timeout; the sender's overall timeout still applies on top. */
  connectTimeoutMs?: number;
  /** Idle keep-alive sockets per origin are reused; they were connected to a checked address. */
  keepAliveTimeoutMs?: number;
  /** Extra trusted CAs for https targets (tests, private PKI); the system store is the default. */
  ca?: string | Buffer | Array<string | Buffer>;
}

export const systemResolver: HostResolver = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * An undici Agent that can only open connections to permitted addresses.
 *
 * Hostnames go through our own `lookup`: it resolves once, refuses the whole connection if ANY
 * address is blocked (an attacker's DNS can mix a public and a private answer), and hands the
 * checked addresses to the socket so nothing resolves the name a second time (no rebinding
 * window). Literal IPs never reach `lookup` in Node, so the connector checks those itself.
 */
export class SsrfSafeAgent extends Agent {
  readonly policy: Readonly<WebhookTargetPolicy>;

  constructor(options: SsrfSafeAgentOptions = {}) {
    const allowPrivate = options.allowPrivate ?? false;
    const lookup = guardedLookup(options.resolve ?? systemResolver, allowPrivate);
    const connect = buildConnector({
      timeout: options.connectTimeoutMs ?? 10_000,
      lookup,
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    });
    super({
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000,
      connect: (opts, callback) => {
        const host = stripBrackets(opts.hostname);
        const range = !allowPrivate && isIP(host) !== 0 ? blockedRangeOf(host) : null;
        if (range !== null) {
          callback(new SsrfBlockedError(host, range), null);
          return;
        }
        connect(opts, callback);
      },
    });
    this.policy = { allowPrivate, allowHttp: options.allowHttp ?? false };
  }
}

function guardedLookup(resolve: HostResolver, allowPrivate: boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    const found = resolve(hostname).then((addresses) => {
      if (!allowPrivate) {
        for (const { address } of addresses) {
          const range = blockedRangeOf(address);
          if (range !== null) throw new SsrfBlockedError(address, range, hostname);
        }
      }
      const usable = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
      if (usable.length === 0) {
        throw Object.assign(new Error(`no usable address for ${hostname}`), { code: 'ENOTFOUND', hostname });
      }
      return usable;
    });
    found.then(
      (usable) => {
        // Node asks for every address when it races IPv4 and IPv6 (autoSelectFamily).
        if (options.all)
          callback(
            null,
            usable.map((a): LookupAddress => ({ ...a })),
          );
        else callback(null, (usable[0] as ResolvedAddress).address, (usable[0] as ResolvedAddress).family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}
