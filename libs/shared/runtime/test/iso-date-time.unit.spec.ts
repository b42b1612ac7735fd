import { parseIsoDateTime } from '../src';

describe('parseIsoDateTime: the one parser of every time parameter', () => {
  it.each([
    ['2026-11-25T10:00:00Z', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T10:00:00.123456Z', '2026-11-25T10:00:00.123Z'],
    ['2026-11-25t10:00z', '2026-11-25T10:00:00.000Z'],
    ['2026-11-25T10:00:00+01:00', '2026-11-25T09:00:00.000Z'],
    ['2026-11-25T10:00:00-0230', '2026-11-25T12:30:00.000Z'],
    ['2026-11-25', '2026-11-25T00:00:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-01', '0099-06-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('accepts %s as %s', (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-W01-1', // ISO week date: IsISO8601 accepted it, new Date() did not
    '2026-W01',
    '2026-329', // ordinal date
    '2026-02-30T00:00:00Z',
    '2025-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-11-25T24:00:00Z',
    '2026-11-25T10:60:00Z',
    '2026-11-25T10:00:60Z',
    '2026-11-25T10:00:00', // a time without a zone means a different moment on each server
    '2026-11-25T10:00:00+24:00',
    '0000-01-01',
    '+275760-09-13T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '20261125T100000Z',
    'yesterday',
    '',
    ' 2026-11-25',
    '2026-11-25T10:00:00Z\u0000',
  ])('refuses %j', (text) => {
    expect(parseIsoDateTime(text)).toBeUndefined();
  });

  it('refuses non-strings', () => {
    for (const value of [null, undefined, 1_700_000_000_000, {}, ['2026-11-25']]) expect(parseIsoDateTime(value)).toBeUndefined();
  });
});
