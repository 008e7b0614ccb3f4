import { describe, expect, it } from '@jest/globals';
import { whyNotPublic } from './public-address.js';

describe('whyNotPublic', () => {
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2001:4860:4860::8888'])('accepts the public address %s', (address) => {
    expect(whyNotPublic(address)).toBeNull();
  });

  it.each([
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['::8.8.8.8', 'IPv4-compatible'],
    ['::ffff:0:8.8.8.8', 'IPv4-translated'],
    ['64:ff9b::808:808', 'NAT64'],
    ['2002:808:808::1', '6to4'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'Teredo'],
  ])('accepts %s, the %s form of the public 8.8.8.8', (address) => {
    expect(whyNotPublic(address)).toBeNull();
  });

  it.each([
    ['0.0.0.0', '"this network" (0.0.0.0/8)'],
    ['10.1.2.3', 'private (10.0.0.0/8)'],
    ['100.64.0.1', 'shared (carrier-grade NAT) (100.64.0.0/10)'],
    ['127.0.0.1', 'loopback (127.0.0.0/8)'],
    ['169.254.169.254', 'link-local (169.254.0.0/16)'],
    ['172.16.0.1', 'private (172.16.0.0/12)'],
    ['172.31.255.255', 'private (172.16.0.0/12)'],
    ['192.0.0.1', 'IETF protocol assignments (192.0.0.0/24)'],
    ['192.0.2.1', 'documentation (192.0.2.0/24)'],
    ['192.88.99.1', 'deprecated 6to4 relay anycast (192.88.99.0/24)'],
    ['192.168.1.1', 'private (192.168.0.0/16)'],
    ['198.18.0.1', 'benchmarking (198.18.0.0/15)'],
    ['198.19.255.255', 'benchmarking (198.18.0.0/15)'],
    ['198.51.100.7', 'documentation (198.51.100.0/24)'],
    ['203.0.113.9', 'documentation (203.0.113.0/24)'],
    ['224.0.0.1', 'multicast (224.0.0.0/4)'],
    ['240.0.0.1', 'reserved (240.0.0.0/4)'],
    ['255.255.255.255', 'limited broadcast (255.255.255.255/32)'],
  ])('refuses the IPv4 address %s: %s', (address, why) => {
    expect(whyNotPublic(address)).toBe(why);
  });

  it.each([
    ['::', 'unspecified (::/128)'],
    ['::1', 'loopback (::1/128)'],
    ['100::1', 'discard-only (100::/64)'],
    ['2001:db8::1', 'documentation (2001:db8::/32)'],
    ['2001:2::1', 'benchmarking (2001:2::/48)'],
    ['2001:10::1', 'deprecated ORCHID (2001:10::/28)'],
    ['2001:100::1', 'IETF protocol assignments (2001::/23)'],
    ['3fff::1', 'documentation (3fff::/20)'],
    ['5f00::1', 'segment routing (SRv6) SIDs (5f00::/16)'],
    ['fc00::1', 'unique local (fc00::/7)'],
    ['fd12:3456::1', 'unique local (fc00::/7)'],
    ['fe80::1', 'link-local (fe80::/10)'],
    ['fe80::1%eth0', 'link-local (fe80::/10)'],
    ['fec0::1', 'site-local (fec0::/10)'],
    ['ff02::1', 'multicast (ff00::/8)'],
    ['64:ff9b:1::a00:1', 'local-use IPv4/IPv6 translation (64:ff9b:1::/48)'],
    ['4000::1', 'outside global unicast (2000::/3)'],
    ['1::1', 'outside global unicast (2000::/3)'],
  ])('refuses the IPv6 address %s: %s', (address, why) => {
    expect(whyNotPublic(address)).toBe(why);
  });

  it.each([
    ['::127.0.0.1', 'IPv4-compatible form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
    ['::7f00:1', 'IPv4-compatible form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
    ['::ffff:127.0.0.1', 'IPv4-mapped form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped form of 169.254.169.254, which is link-local (169.254.0.0/16)'],
    ['::ffff:0:7f00:1', 'IPv4-translated form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
    ['64:ff9b::7f00:1', 'NAT64 form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
    ['64:ff9b::10.0.0.1', 'NAT64 form of 10.0.0.1, which is private (10.0.0.0/8)'],
    ['2002:7f00:1::', '6to4 form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
    ['2002:c0a8:101::1', '6to4 form of 192.168.1.1, which is private (192.168.0.0/16)'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'Teredo form of 127.0.0.1, which is loopback (127.0.0.0/8)'],
  ])('refuses %s, which embeds a non-public IPv4 address', (address, why) => {
    expect(whyNotPublic(address)).toBe(why);
  });

  // What the WHATWG URL parser makes of a URL's host is what the check is given.
  it.each([
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://127.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://[::127.0.0.1]/', '::7f00:1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
  ])('refuses the host of %s, which the URL parser reads as %s', (url, address) => {
    const hostname = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    expect(hostname).toBe(address);
    expect(whyNotPublic(hostname)).not.toBeNull();
  });

  it('answers for a string that is no IP address', () => {
    expect(whyNotPublic('example.com')).toBe('not an IP address');
    expect(whyNotPublic('::1.2.3.256')).toBe('not an IP address');
  });
});
