import { InvalidListCursorError, decodeListCursor, encodeListCursor, toPage } from '../src/read-model/list-page';

describe('admin list pages', () => {
  const rows = [1, 2, 3, 4, 5].map((n) => ({ k: `2026-11-25T10:00:0${n}.000000Z`, id: `id-${n}` }));
  const keyOf = (r: { k: string; id: string }) => [r.k, r.id];

  it('returns `limit` rows and the cursor of the last one when more follow', () => {
    const page = toPage(rows.slice(0, 3), 2, keyOf, (r) => r.id);
    expect(page.items).toEqual(['id-1', 'id-2']);
    expect(decodeListCursor(page.next_cursor as string, 2)).toEqual([rows[1].k, 'id-2']);
  });

  it('has no next cursor on the last page', () => {
    expect(toPage(rows.slice(0, 2), 2, keyOf, (r) => r.id)).toEqual({ items: ['id-1', 'id-2'], next_cursor: null });
  });

  it.each([
    ['garbage', 'garbage!'],
    ['wrong arity', encodeListCursor(['a'])],
    ['a non-string member', Buffer.from(JSON.stringify(['a', 1])).toString('base64url')],
    ['a NUL', encodeListCursor(['a', 'b\0'])],
  ])('refuses a cursor it did not write: %s', (_name, cursor) => {
    expect(() => decodeListCursor(cursor, 2)).toThrow(InvalidListCursorError);
  });
});
