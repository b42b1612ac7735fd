import { InvalidListCursorError, decodeListCursor, encodeListCursor, toPage } from '../src/read-model/list-page';

describe('admin list pages', () => {
  const rows = [1, 2, 3, 4, 5].map((n) => ({ k: `2026-11-25T10:00:0${n}.000000Z`, id: `id-${n}` }));
  const keyOf = (r: { k: string; id: string }) => [r.k, r.id];

  it('returns `limit` rows and the cursor of the last one when more follow', () => {
    const page = toPage(rows.slice(0, 3), 2, keyOf, (r) => r.id);
    expect(page.items).toEqual(['id-1', 'id-2']);
    expect(decodeListCursor(page.next_cursor as string, ['time', 'text'])).toEqual([rows[1].k, 'id-2']);
  });

  it('has no next cursor on the last page', () => {
    expect(toPage(rows.slice(0, 2), 2, keyOf, (r) => r.id)).toEqual({ items: ['id-1', 'id-2'], next_cursor: null });
  });

  it.each([
    ['garbage', 'garbage!'],
    ['wrong arity', encodeListCursor(['a'])],
    ['a non-string member', Buffer.from(JSON.stringify(['a', 1])).toString('base64url')],
    ['a NUL', encodeListCursor(['2026-11-25T10:00:01.000000Z', 'b\0'])],
    // The time member is cast to timestamptz: anything but a real moment in timeKeySql's form was a 500.
    ['a time that is no time', encodeListCursor(['abc', 'x'])],
    ['an impossible date', encodeListCursor(['2026-02-30T00:00:00Z', 'x'])],
    ['an impossible date in the written form', encodeListCursor(['2026-02-30T00:00:00.000000Z', 'x'])],
    ['hour 24', encodeListCursor(['2026-11-25T24:00:00.000000Z', 'x'])],
    ['year 0', encodeListCursor(['0000-01-01T00:00:00.000000Z', 'x'])],
    ['an ISO week date', encodeListCursor(['2026-W01-1', 'x'])],
    ['a number', Buffer.from(JSON.stringify([1e20, 'x'])).toString('base64url')],
    ['an object', Buffer.from(JSON.stringify({ at: '2026-11-25T10:00:01.000000Z', id: 'x' })).toString('base64url')],
    ['null members', Buffer.from(JSON.stringify([null, null])).toString('base64url')],
    ['an empty text member', encodeListCursor(['2026-11-25T10:00:01.000000Z', ''])],
  ])('refuses a cursor it did not write: %s', (_name, cursor) => {
    expect(() => decodeListCursor(cursor, ['time', 'text'])).toThrow(InvalidListCursorError);
  });

  it('takes any text where the list orders by text (the domains list: organisation, domain)', () => {
    expect(decodeListCursor(encodeListCursor(['org-1', 'abc']), ['text', 'text'])).toEqual(['org-1', 'abc']);
  });
});
