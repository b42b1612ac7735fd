import { Readable } from 'node:stream';
import { ReportRefused, eachJsonArrayElement } from '../src/application/report-reader';

const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)), { objectMode: false });
const read = async (body: Readable, limits = { maxBytes: 1_000_000, maxRecords: 1000 }) => {
  const records: unknown[] = [];
  const count = await eachJsonArrayElement(body, limits, undefined, (value, index) => void records.push([index, value]));
  return { count, records };
};
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof ReportRefused ? error.reason : error),
  );

describe('eachJsonArrayElement', () => {
  it('hands over each element with its index, across chunk boundaries', async () => {
    expect(await read(chunks('[{"Rule', 'ID":"a"}', ',{"RuleID":"b"}]'))).toEqual({ count: 2, records: [[0, { RuleID: 'a' }], [1, { RuleID: 'b' }]] });
  });

  it('refuses a body over the byte limit while it streams (no declared length)', async () => {
    const body = chunks('[', ...Array.from({ length: 50 }, (_, i) => `${i ? ',' : ''}{"Secret":"${'x'.repeat(100)}"}`), ']');
    expect(await refusal(read(body, { maxBytes: 1000, maxRecords: 1000 }))).toEqual({ refusal: 'too_large', maxBytes: 1000 });
  });

  it('refuses more records than the limit', async () => {
    expect(await refusal(read(chunks('[1,2,3]'), { maxBytes: 1000, maxRecords: 2 }))).toEqual({ refusal: 'too_many_records', maxRecords: 2 });
  });

  it('refuses an element that is not JSON without quoting it', async () => {
    const reason = (await refusal(read(chunks('[{"Secret": ghp_secretvalue}]')))) as { refusal: string; detail: string };
    expect(reason).toEqual({ refusal: 'malformed', detail: expect.stringContaining('element 0 is not valid JSON') });
    expect(reason.detail).not.toContain('ghp_secretvalue');
  });

  it('refuses a report that is not one closed array', async () => {
    expect(await refusal(read(chunks('{"not": "an array"}')))).toMatchObject({ refusal: 'malformed' });
    expect(await refusal(read(chunks('[{"a":1}')))).toMatchObject({ refusal: 'malformed', detail: expect.stringContaining('not closed') });
  });
});
