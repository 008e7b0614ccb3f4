import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

function ranges(entries: Array<[string, string]>): Array<{ range: Range; why: string }> {
  return entries.map(([cidr, name]) => ({ range: ipaddr.parseCIDR(cidr), why: `${name} (${cidr})` }));
}

/**
 * The entries of the IANA IPv4 Special-Purpose Address Registry that are not globally reachable,
 * plus multicast (a registry of its own). 192.0.0.0/24 is refused whole although two anycast
 * addresses in it are global: no external system of a process lives there.
 */
const IPV4_NOT_PUBLIC = ranges([
  ['0.0.0.0/8', '"this network"'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared (carrier-grade NAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'limited broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

/**
 * Inside global unicast (2000::/3), the entries of the IANA IPv6 Special-Purpose Address Registry
 * that are not globally reachable. 2001::/23 is not, except the blocks listed as exceptions.
 */
const IPV6_GLOBAL_EXCEPTIONS = ranges([
  ['2001:1::1/128', 'PCP anycast'],
  ['2001:1::2/128', 'TURN anycast'],
  ['2001:1::3/128', 'DNS-SD service registration anycast'],
  ['2001:3::/32', 'AMT'],
  ['2001:4:112::/48', 'AS112'],
  ['2001:20::/28', 'ORCHIDv2'],
  ['2001:30::/28', 'drone remote ID'],
]);
const IPV6_NOT_PUBLIC = ranges([
  ['2001:2::/48', 'benchmarking'],
  ['2001:10::/28', 'deprecated ORCHID'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
]);
/** Outside 2000::/3 nothing is globally reachable; these names make the refusal readable. */
const IPV6_OUTSIDE_GLOBAL = ranges([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['64:ff9b:1::/48', 'local-use IPv4/IPv6 translation'],
  ['100::/64', 'discard-only'],
  ['100:0:0:1::/64', 'dummy prefix'],
  ['5f00::/16', 'segment routing (SRv6) SIDs'],
  ['fc00::/7', 'unique local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['ff00::/8', 'multicast'],
]);
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

function find(address: ipaddr.IPv4 | ipaddr.IPv6, table: Array<{ range: Range; why: string }>): string | null {
  return table.find(({ range }) => range[0].kind() === address.kind() && address.match(range))?.why ?? null;
}

function ipv4(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address an IPv6 address carries, when a packet sent to it ends up at that IPv4 host
 * (through the host's own stack, a NAT64 gateway, a 6to4 relay or Teredo), and the form's name.
 */
function embeddedIpv4(address: ipaddr.IPv6): { ipv4: ipaddr.IPv4; form: string } | null {
  const p = address.parts;
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return { ipv4: ipv4(p[6], p[7]), form: 'IPv4-mapped' };
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) return { ipv4: ipv4(p[6], p[7]), form: 'IPv4-translated' };
  if (zeros(0, 6)) return { ipv4: ipv4(p[6], p[7]), form: 'IPv4-compatible' };
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) return { ipv4: ipv4(p[6], p[7]), form: 'NAT64' };
  if (p[0] === 0x2002) return { ipv4: ipv4(p[1], p[2]), form: '6to4' };
  // Teredo keeps the client's public address bit-inverted in the last 32 bits (RFC 4380).
  if (p[0] === 0x2001 && p[1] === 0) return { ipv4: ipv4(p[6] ^ 0xffff, p[7] ^ 0xffff), form: 'Teredo' };
  return null;
}

/** ipaddr.js reads "::a.b.c.d" as "::ffff:a.b.c.d"; spelt in hex, the address stays the one written. */
function dottedTailInHex(address: string): string {
  return address.replace(/(?<=:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?=%|$)/, (_, a, b, c, d) => {
    const [high, low] = [Number(a) * 256 + Number(b), Number(c) * 256 + Number(d)];
    return [a, b, c, d].some((octet) => Number(octet) > 255) ? 'invalid' : `${high.toString(16)}:${low.toString(16)}`;
  });
}

function ipv4Reason(address: ipaddr.IPv4): string | null {
  return find(address, IPV4_NOT_PUBLIC);
}

/**
 * Why an outbound request must not go to this address, or null when it is globally reachable
 * unicast. Only addresses an external system can have on the Internet pass: IPv6 forms that
 * carry an IPv4 address are judged by that address, so ::ffff:127.0.0.1 or 64:ff9b::a00:1 do
 * not slip past the IPv4 rules.
 */
export function whyNotPublic(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.includes(':') ? dottedTailInHex(address) : address);
  } catch {
    return 'not an IP address';
  }
  if (parsed.kind() === 'ipv4') return ipv4Reason(parsed as ipaddr.IPv4);

  const ipv6 = parsed as ipaddr.IPv6;
  // :: and ::1 have the IPv4-compatible shape but are their own thing.
  const own = find(ipv6, IPV6_OUTSIDE_GLOBAL.slice(0, 2));
  if (own) return own;
  const embedded = embeddedIpv4(ipv6);
  if (embedded) {
    const why = ipv4Reason(embedded.ipv4);
    return why ? `${embedded.form} form of ${embedded.ipv4.toString()}, which is ${why}` : null;
  }
  if (!ipv6.match(GLOBAL_UNICAST)) return find(ipv6, IPV6_OUTSIDE_GLOBAL) ?? 'outside global unicast (2000::/3)';
  if (find(ipv6, IPV6_GLOBAL_EXCEPTIONS)) return null;
  return find(ipv6, IPV6_NOT_PUBLIC);
}
