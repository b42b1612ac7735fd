import {
  DEFAULT_LEAK_ORDER, InvalidCursorError, LeakCursor, afterCursorSql, decodeLeakCursor, encodeLeakCursor, orderBySql, sortExpressionSql,
} from '../src/read-model/leak-list-order';

const ID = 'b3652f2555841f7652badd9804859f4e';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('leak list order and cursor', () => {
  it('round-trips a cursor for every sort and direction', () => {
    const cursors: LeakCursor[] = [
      { sort: 'first_seen', direction: 'desc', value: '2026-11-25T10:00:00.123456Z', leakid: ID },
      { sort: 'last_seen', direction: 'asc', value: '2026-11-25T10:00:00.000000Z', leakid: ID },
      { sort: 'risk', direction: 'desc', value: 4, leakid: ID },
      { sort: 'status', direction: 'asc', value: 1, leakid: ID },
    ];
    for (const c of cursors) expect(decodeLeakCursor(encodeLeakCursor(c), c)).toEqual(c);
  });

  it('still reads cursors of the first format ([first_seen, leakid]) for the default order', () => {
    expect(decodeLeakCursor(b64(['2026-11-25T10:00:00.123Z', ID]), DEFAULT_LEAK_ORDER)).toEqual({ ...DEFAULT_LEAK_ORDER, value: '2026-11-25T10:00:00.123Z', leakid: ID });
  });

  it('refuses a cursor replayed under another order, naming the order it was made for', () => {
    const riskCursor = encodeLeakCursor({ sort: 'risk', direction: 'desc', value: 3, leakid: ID });
    expect(() => decodeLeakCursor(riskCursor, { sort: 'risk', direction: 'asc' })).toThrow(/sort=risk&direction=desc/);
    expect(() => decodeLeakCursor(riskCursor, DEFAULT_LEAK_ORDER)).toThrow(InvalidCursorError);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['a time PostgreSQL would misread', b64({ s: 'first_seen', d: 'desc', v: '2026-02-30T00:00:00.000000Z', id: ID })],
    ['a rank for a time sort', b64({ s: 'first_seen', d: 'desc', v: 3, id: ID })],
    ['a time for a rank sort', b64({ s: 'risk', d: 'desc', v: '2026-11-25T10:00:00.000000Z', id: ID })],
    ['a bad leak id', b64({ s: 'risk', d: 'desc', v: 3, id: "x' OR 1=1" })],
    ['an unknown sort', b64({ s: 'secret', d: 'desc', v: 3, id: ID })],
  ])('refuses %s', (_name, cursor) => {
    expect(() => decodeLeakCursor(cursor, { sort: 'first_seen', direction: 'desc' })).toThrow(InvalidCursorError);
    expect(() => decodeLeakCursor(cursor, { sort: 'risk', direction: 'desc' })).toThrow(InvalidCursorError);
  });

  it('orders by the sort then leakid in the same direction, and pages strictly after the cursor in that direction', () => {
    expect(orderBySql({ sort: 'last_seen', direction: 'asc' })).toBe('last_seen ASC, leakid ASC');
    expect(orderBySql({ sort: 'risk', direction: 'desc' })).toBe(`${sortExpressionSql('risk')} DESC, leakid DESC`);
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    expect(afterCursorSql({ sort: 'risk', direction: 'desc', value: 4, leakid: ID }, p)).toBe(`(${sortExpressionSql('risk')}, leakid) < ($1::int, $2)`);
    expect(afterCursorSql({ sort: 'first_seen', direction: 'asc', value: '2026-11-25T10:00:00.000000Z', leakid: ID }, p)).toBe('(first_seen, leakid) > ($3::timestamptz, $4)');
    expect(params).toEqual([4, ID, '2026-11-25T10:00:00.000000Z', ID]);
  });

  it('ranks risk most severe highest and status in lifecycle order', () => {
    expect(sortExpressionSql('risk')).toBe("(CASE risk WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END)");
    expect(sortExpressionSql('status')).toBe("(CASE status WHEN 'open' THEN 1 WHEN 'fixed' THEN 2 WHEN 'false_positive' THEN 3 ELSE 0 END)");
  });
});
