import { nextPageLink } from '../src/http/pagination-link';

describe('nextPageLink', () => {
  it('keeps the path and every query parameter, replacing only the cursor', () => {
    expect(nextPageLink('/api/v1/leaks?status=open&cursor=old&limit=2', 'abc_-')).toBe('</api/v1/leaks?status=open&cursor=abc_-&limit=2>; rel="next"');
    expect(nextPageLink('/api/v1/orgs', 'x')).toBe('</api/v1/orgs?cursor=x>; rel="next"');
  });

  it('percent-encodes what a URL may not hold', () => {
    expect(nextPageLink('/api/v1/leaks?q=a b', 'c+d')).toBe('</api/v1/leaks?q=a+b&cursor=c%2Bd>; rel="next"');
  });
});
