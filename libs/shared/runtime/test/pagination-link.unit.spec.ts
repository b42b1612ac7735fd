import { nextPageLink } from '../src/http/pagination-link';

describe('nextPageLink', () => {
  it('keeps the path and every query parameter, replacing only the cursor', () => {
    expect(nextPageLink('/api/v1/leaks?status=open&cursor=old&limit=2', 'abc_-')).toBe('</api/v1/leaks?status=open&cursor=abc_-&limit=2>; rel="next"');
    expect(nextPageLink('/api/v1/orgs', 'x')).toBe('</api/v1/orgs?cursor=x>; rel="next"');
  });

  it('percent-encodes what a URL may not hold', () => {
    expect(nextPageLink('/api/v1/leaks?q=a b', 'c+d')).toBe('</api/v1/leaks?q=a+b&cursor=c%2Bd>; rel="next"');
  });

  it('gives the same link when asked again (remembered), and another for another URL or cursor', () => {
    const first = nextPageLink('/api/v1/leaks?limit=20', 'c1');
    expect(nextPageLink('/api/v1/leaks?limit=20', 'c1')).toBe(first);
    expect(nextPageLink('/api/v1/leaks?limit=20', 'c2')).toBe('</api/v1/leaks?limit=20&cursor=c2>; rel="next"');
    expect(nextPageLink('/api/v1/leaks?limit=21', 'c1')).toBe('</api/v1/leaks?limit=21&cursor=c1>; rel="next"');
    for (let i = 0; i < 1500; i++) expect(nextPageLink(`/api/v1/leaks?limit=${i}`, 'x')).toBe(`</api/v1/leaks?limit=${i}&cursor=x>; rel="next"`);
    expect(nextPageLink('/api/v1/leaks?limit=20', 'c1')).toBe(first);
  });
});
