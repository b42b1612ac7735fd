/**
 * Leak-Lookup's stats wire format, compared as exact strings (key order, string "true"/"false", date formats).
 */
import type { DirectoryKey } from '@leakwatch/auth';
import { NO_EXPIRY, errorBody, keyStats, readStatsRequest, successBody } from '../src/usage/leak-lookup-format';

const key = (overrides: Partial<DirectoryKey> = {}): DirectoryKey => ({
  keyId: 'k1', keyHash: 'h', prefix: 'lw_x', name: 'n', role: 'analyst', orgId: 'o1', userEmail: null, type: 'public', limit: 10,
  expiresAt: '2027-01-04T17:32:53.000Z', issuedAt: '2026-06-11T08:00:00.000Z', revokedAt: null, revision: 0, ...overrides,
});
const now = new Date('2026-11-25T18:26:16.123Z');

describe('Leak-Lookup stats format', () => {
  it('renders the documented success shape byte for byte', () => {
    expect(successBody(keyStats(key(), 2, now))).toBe(
      '{"error":"false","message":{"status":"active","type":"public","added":"2026-06-11","updated":"2026-11-25 00:00:00","expiry":"2027-01-04 17:32:53","requests":2,"limit":10}}',
    );
  });

  it('reports revoked and expired keys as inactive (type too), still with their counts', () => {
    expect(keyStats(key({ revokedAt: '2026-11-01T00:00:00.000Z', type: 'private' }), 4, now)).toMatchObject({ status: 'inactive', type: 'inactive', requests: 4 });
    expect(keyStats(key({ expiresAt: '2026-11-25T18:26:16.000Z' }), 0, now)).toMatchObject({ status: 'inactive', type: 'inactive', expiry: '2026-11-25 18:26:16' });
    expect(keyStats(key({ type: 'private' }), 0, now)).toMatchObject({ status: 'active', type: 'private' });
  });

  it('gives a key without expiry a far-future date in the same format', () => {
    expect(keyStats(key({ expiresAt: null }), 0, now).expiry).toBe(NO_EXPIRY);
    expect(NO_EXPIRY).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('renders the four errors exactly', () => {
    expect(errorBody('MISSING API KEY')).toBe('{"error":"true","message":"MISSING API KEY"}');
    expect(errorBody('EMPTY VALUE DETECTED')).toBe('{"error":"true","message":"EMPTY VALUE DETECTED"}');
    expect(errorBody('INVALID API KEY')).toBe('{"error":"true","message":"INVALID API KEY"}');
    expect(errorBody('MISSING REQUIRED PARAMETERS')).toBe('{"error":"true","message":"MISSING REQUIRED PARAMETERS"}');
  });

  it.each([
    [undefined, 'MISSING REQUIRED PARAMETERS'],
    [{}, 'MISSING REQUIRED PARAMETERS'],
    ['key=abc', 'MISSING REQUIRED PARAMETERS'],
    [[], 'MISSING REQUIRED PARAMETERS'],
    [{ apikey: 'x' }, 'MISSING API KEY'],
    [{ key: '' }, 'EMPTY VALUE DETECTED'],
    [{ key: '   ' }, 'EMPTY VALUE DETECTED'],
    [{ key: null }, 'EMPTY VALUE DETECTED'],
    [{ key: 42 }, 'INVALID API KEY'],
    [{ key: ['a'] }, 'INVALID API KEY'],
  ])('reads %j as the error %s', (body, message) => {
    expect(readStatsRequest(body)).toEqual({ kind: 'error', message });
  });

  it('reads the key (trimmed) from a form or JSON body, ignoring other parameters', () => {
    expect(readStatsRequest({ key: ' lw_abc ', other: '1' })).toEqual({ kind: 'key', key: 'lw_abc' });
  });
});
