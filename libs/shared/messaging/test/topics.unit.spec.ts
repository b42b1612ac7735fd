import { ALL_TOPICS, routeByStreamCategory, TOPICS } from '../src';

const route = (streamId: string, data: unknown = {}, metadata = {}) => routeByStreamCategory({ streamId, data, metadata });
const ORG = '6f1c2b8e-4a3d-4e5f-9a7b-1c2d3e4f5a6b';

describe('topic routing by stream category', () => {
  it('names the four topics of the design', () => {
    expect(ALL_TOPICS).toEqual(['leakwatch.findings.v1', 'leakwatch.leaks.v1', 'leakwatch.access.v1', 'leakwatch.gateway.v1']);
  });

  it('routes leak streams to the leaks topic keyed by leak id', () => {
    expect(route('leak-0123456789abcdef0123456789abcdef')).toEqual({ topic: TOPICS.leaks, key: '0123456789abcdef0123456789abcdef' });
  });

  it('routes findings keyed by the leak id they are about', () => {
    expect(route('finding-batch1-3', { leakid: 'aa'.repeat(16) })).toEqual({ topic: TOPICS.findings, key: 'aa'.repeat(16) });
    expect(route('finding-bb')).toEqual({ topic: TOPICS.findings, key: 'bb' });
  });

  it('keys every access stream by org id', () => {
    expect(route(`org-${ORG}`)).toEqual({ topic: TOPICS.access, key: ORG });
    expect(route(`domain-${ORG}-my-site.example.com`, { org_id: ORG, domain: 'my-site.example.com' })).toEqual({ topic: TOPICS.access, key: ORG });
    // Without data.org_id the UUID prefix still disambiguates dashes in org id and domain.
    expect(route(`domain-${ORG}-my-site.example.com`)).toEqual({ topic: TOPICS.access, key: ORG });
    expect(route('apikey-k1', { key_id: 'k1', org_id: ORG })).toEqual({ topic: TOPICS.access, key: ORG });
  });

  it('keys API key events without org_id by the actor org, then by key id; a global key by its key id', () => {
    expect(route('apikey-k1', { key_id: 'k1' }, { actor: { org_id: ORG } })).toEqual({ topic: TOPICS.access, key: ORG });
    expect(route('apikey-k1', { key_id: 'k1' })).toEqual({ topic: TOPICS.access, key: 'k1' });
    expect(route('apikey-k1', { key_id: 'k1', org_id: null }, { actor: { org_id: ORG } })).toEqual({ topic: TOPICS.access, key: 'k1' });
  });

  it('routes usage and gateway streams keyed by API key id', () => {
    expect(route('usage-k1-2024-05-01', { key_id: 'k1' })).toEqual({ topic: TOPICS.gateway, key: 'k1' });
    expect(route('gateway-k2')).toEqual({ topic: TOPICS.gateway, key: 'k2' });
  });

  it('publishes nothing for unknown or malformed stream ids', () => {
    for (const id of ['projection-x', 'leak', 'leak-', '-x', 'checkpoint', '']) expect(route(id)).toBeNull();
  });
});
