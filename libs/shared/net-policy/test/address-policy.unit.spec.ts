import { AddressPolicy, classifyAddress, describeCategory } from '../src';

describe('classifyAddress', () => {
  it.each([
    // IPv4 private and special-purpose ranges
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'link-local'], // cloud metadata endpoint
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    // IPv6
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    // IPv4 hidden in IPv6
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.5', 'private'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['0:0:0:0:0:ffff:192.168.0.1', 'private'],
    ['::127.0.0.1', 'loopback'], // IPv4-compatible (deprecated)
    ['64:ff9b::10.0.0.1', 'private'], // NAT64
    ['2002:c0a8:0101::1', 'private'], // 6to4 of 192.168.1.1
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.15.255.255', // just outside 172.16/12
    '172.32.0.1',
    '100.63.255.255', // just outside 100.64/10
    '100.128.0.1',
    '169.253.1.1',
    '2606:4700::1',
    '2a00:1450:4001:82a::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:0808:0808::1', // 6to4 of 8.8.8.8
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBe('public');
  });

  it.each(['acme.com', '', '10.0.0', '1.2.3.4.5', '::g'])('throws on the non-address %j (a caller bug)', (input) => {
    expect(() => classifyAddress(input)).toThrow(TypeError);
  });

  it('phrases categories for refusal sentences', () => {
    expect(describeCategory('private')).toBe('a private address');
    expect(describeCategory('unspecified')).toBe('an unspecified address');
    expect(describeCategory('unique-local')).toBe('a unique-local address');
    expect(describeCategory('cgnat')).toBe('a carrier-grade NAT (100.64.0.0/10) address');
  });
});

describe('AddressPolicy', () => {
  it('refuses every non-public address by default and names why', () => {
    const policy = new AddressPolicy();
    expect(policy.check('8.8.8.8')).toEqual({ allowed: true });
    expect(policy.check('2606:4700::1')).toEqual({ allowed: true });
    expect(policy.check('10.0.0.5')).toEqual({ allowed: false, category: 'private' });
    expect(policy.check('::ffff:127.0.0.1')).toEqual({ allowed: false, category: 'loopback' });
  });

  it('allows everything when private addresses are allowed (tests)', () => {
    const policy = new AddressPolicy({ allowPrivateAddresses: true });
    expect(policy.check('127.0.0.1')).toEqual({ allowed: true });
    expect(policy.check('fd00::1')).toEqual({ allowed: true });
  });

  it('allows exactly the listed exceptions, addresses or CIDRs', () => {
    const policy = new AddressPolicy({ allowedAddresses: ['127.0.0.1', '10.1.0.0/16'] });
    expect(policy.check('127.0.0.1')).toEqual({ allowed: true });
    expect(policy.check('::ffff:127.0.0.1')).toEqual({ allowed: true }); // the same host
    expect(policy.check('10.1.200.3')).toEqual({ allowed: true });
    expect(policy.check('127.0.0.2')).toEqual({ allowed: false, category: 'loopback' });
    expect(policy.check('::1')).toEqual({ allowed: false, category: 'loopback' });
    expect(policy.check('10.2.0.1')).toEqual({ allowed: false, category: 'private' });
  });

  it.each([['localhost'], ['10.0.0.0/33'], ['10.0.0.0/x']])('rejects the malformed exception %j at construction', (entry) => {
    expect(() => new AddressPolicy({ allowedAddresses: [entry] })).toThrow(TypeError);
  });
});
