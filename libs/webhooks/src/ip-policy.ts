import ipaddr from 'ipaddr.js';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

// ipaddr.js lumps these into "reserved"; naming them makes a refusal easier to understand.
const NAMED_V4: ReadonlyArray<[string, Cidr]> = [
  ['documentation', ipaddr.IPv4.parseCIDR('192.0.2.0/24')],
  ['documentation', ipaddr.IPv4.parseCIDR('198.51.100.0/24')],
  ['documentation', ipaddr.IPv4.parseCIDR('203.0.113.0/24')],
  ['benchmarking', ipaddr.IPv4.parseCIDR('198.18.0.0/15')],
];
const NAMED_V6: ReadonlyArray<[string, Cidr]> = [
  ['documentation', ipaddr.IPv6.parseCIDR('2001:db8::/32')],
  ['documentation', ipaddr.IPv6.parseCIDR('3fff::/20')],
];
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * Why an address may not be a webhook target, or null when it is ordinary global unicast.
 *
 * Allow-list on purpose: anything ipaddr.js does not call "unicast" (loopback, private,
 * link-local incl. 169.254.169.254, CGNAT, multicast, broadcast, reserved, unique-local ...)
 * is refused, so ranges we forgot to list fail closed. IPv6 forms that carry an IPv4 address
 * (mapped, SIIT, NAT64, 6to4, Teredo) are judged by the IPv4 address they lead to.
 */
export function blockedRangeOf(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(stripBrackets(address));
  } catch {
    return 'unparseable';
  }
  return parsed.kind() === 'ipv4' ? blockedV4(parsed as ipaddr.IPv4) : blockedV6(parsed as ipaddr.IPv6);
}

function blockedV4(addr: ipaddr.IPv4): string | null {
  for (const [name, cidr] of NAMED_V4) if (addr.match(cidr)) return name;
  const range = addr.range();
  return range === 'unicast' ? null : range;
}

function blockedV6(addr: ipaddr.IPv6): string | null {
  for (const [name, cidr] of NAMED_V6) if (addr.match(cidr)) return name;
  const range = addr.range();
  switch (range) {
    case 'unicast':
      // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291): nothing legitimate uses it.
      return addr.parts.slice(0, 6).every((p) => p === 0) ? 'ipv4Compatible' : null;
    case 'ipv4Mapped':
    case 'rfc6145':
      return embedded(range, v4FromParts(addr.parts[6], addr.parts[7]));
    case 'rfc6052':
      // Only the well-known /96 prefix maps onto public IPv4; 64:ff9b:1::/48 is local-use.
      return addr.match(NAT64_WELL_KNOWN) ? embedded(range, v4FromParts(addr.parts[6], addr.parts[7])) : range;
    case '6to4':
      return embedded(range, v4FromParts(addr.parts[1], addr.parts[2]));
    case 'teredo':
      // The Teredo client address is stored inverted in the last 32 bits (RFC 4380).
      return (
        embedded(range, v4FromParts(addr.parts[2], addr.parts[3])) ??
        embedded(range, v4FromParts(invert16(addr.parts[6]), invert16(addr.parts[7])))
      );
    default:
      return range;
  }
}

function embedded(outer: string, v4: ipaddr.IPv4): string | null {
  const inner = blockedV4(v4);
  return inner === null ? null : `${outer}:${inner}`;
}

function v4FromParts(high: number | undefined, low: number | undefined): ipaddr.IPv4 {
  const h = high ?? 0;
  const l = low ?? 0;
  return new ipaddr.IPv4([h >> 8, h & 0xff, l >> 8, l & 0xff]);
}

function invert16(part: number | undefined): number {
  return ~(part ?? 0) & 0xffff;
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
