import type { AddressInfo } from 'node:net';

/**
 * The address a server really listens on (from the socket, not from configuration: port 0 and
 * a loopback default are resolved), and a URL a browser on this machine can open.
 */
export function listeningAt(
  bound: AddressInfo | string | null,
  configuredHost: string,
): { address: string; url: string; everywhere: boolean } {
  if (bound === null || typeof bound === 'string') {
    const where = bound ?? configuredHost;
    return { address: where, url: where, everywhere: false };
  }
  const host = bound.family === 'IPv6' || bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  const everywhere = bound.address === '0.0.0.0' || bound.address === '::';
  const local = everywhere ? '127.0.0.1' : host;
  return {
    address: `http://${host}:${bound.port}${everywhere ? ' (every interface)' : ''}`,
    url: `http://${local}:${bound.port}`,
    everywhere,
  };
}
