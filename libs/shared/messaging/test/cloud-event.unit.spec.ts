import { cloudEvent, decodeBinaryMode, encodeBinaryMode, MalformedMessageError } from '../src';
import { testEvent } from './helpers';

describe('CloudEvents Kafka binary mode', () => {
  const event = testEvent('leak-1', { status: 'fixed', nested: { n: 1, list: [1, 'a', null] } }, {
    extensions: { schemaversion: '2', correlationid: 'c-1' },
  });

  it('encodes attributes as ce_ headers, the key as the message key and the data as JSON value', () => {
    const message = encodeBinaryMode(event);
    expect(message.key).toBe('leak-1');
    expect(JSON.parse(message.value)).toEqual(event.data);
    expect(message.headers).toEqual({
      ce_id: event.id,
      ce_type: 'SomethingHappened',
      ce_source: 'leakwatch/test',
      ce_specversion: '1.0',
      ce_time: '2024-05-01T10:00:00.000Z',
      ce_subject: 'thing-leak-1',
      'content-type': 'application/json',
      ce_schemaversion: '2',
      ce_correlationid: 'c-1',
    });
  });

  it('round-trips through the wire form (Buffers, as kafkajs delivers them)', () => {
    const message = encodeBinaryMode(event);
    const wire = {
      key: Buffer.from(message.key),
      value: Buffer.from(message.value),
      headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)])),
    };
    expect(decodeBinaryMode(wire)).toEqual({ ok: true, event });
  });

  it('keeps optional attributes optional', () => {
    const minimal = cloudEvent({ id: 'e1', type: 'T', source: 's', data: null, key: 'k' });
    const decoded = decodeBinaryMode(encodeBinaryMode(minimal));
    expect(decoded).toEqual({ ok: true, event: minimal });
  });

  it.each([
    ['missing ce_id', (h: Record<string, string>) => delete h['ce_id'], /missing header ce_id/],
    ['missing ce_type', (h: Record<string, string>) => delete h['ce_type'], /missing header ce_type/],
    ['missing ce_source', (h: Record<string, string>) => delete h['ce_source'], /missing header ce_source/],
    ['wrong specversion', (h: Record<string, string>) => (h['ce_specversion'] = '0.3'), /unsupported ce_specversion/],
    ['non-JSON content type', (h: Record<string, string>) => (h['content-type'] = 'text/plain'), /unsupported content-type/],
    ['bad time', (h: Record<string, string>) => (h['ce_time'] = 'yesterday'), /RFC 3339/],
    ['bad extension name', (h: Record<string, string>) => (h['ce_Bad-Name'] = 'x'), /invalid extension header/],
  ])('reports %s as an error value', (_name, mutate, reason) => {
    const message = encodeBinaryMode(event);
    mutate(message.headers);
    const decoded = decodeBinaryMode(message);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error).toBeInstanceOf(MalformedMessageError);
    expect(decoded.error.reason).toMatch(reason);
  });

  it('reports a non-JSON value without quoting it (it may hold a secret)', () => {
    const message = { ...encodeBinaryMode(event), value: 'sk_live_SECRET{not json' };
    const decoded = decodeBinaryMode(message);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.reason).toBe('message value is not valid JSON');
    expect(decoded.error.message).not.toContain('SECRET');
    expect(decoded.error.eventId).toBe(event.id);
  });

  it('reports a missing key, a null value and no headers at all', () => {
    const message = encodeBinaryMode(event);
    expect(decodeBinaryMode({ ...message, key: null })).toMatchObject({ ok: false, error: { reason: 'missing message key' } });
    expect(decodeBinaryMode({ ...message, value: null })).toMatchObject({ ok: false, error: { reason: 'missing message value' } });
    expect(decodeBinaryMode({ key: 'k', value: '{}' })).toMatchObject({ ok: false, error: { reason: 'missing header ce_id' } });
  });

  it('accepts an absent content-type and a JSON content-type with parameters', () => {
    const message = encodeBinaryMode(event);
    delete (message.headers as Record<string, string>)['content-type'];
    expect(decodeBinaryMode(message).ok).toBe(true);
    message.headers['content-type'] = 'application/json; charset=utf-8';
    expect(decodeBinaryMode(message).ok).toBe(true);
  });

  it('refuses to build an invalid envelope', () => {
    expect(() => cloudEvent({ id: '', type: 'T', source: 's', data: {}, key: 'k' })).toThrow(/"id"/);
    expect(() => cloudEvent({ id: 'e', type: 'T', source: 's', data: {}, key: '' })).toThrow(/"key"/);
    expect(() => cloudEvent({ id: 'e', type: 'T', source: 's', data: {}, key: 'k', time: 'now' })).toThrow(/time/);
    expect(() => cloudEvent({ id: 'e', type: 'T', source: 's', data: {}, key: 'k', extensions: { Bad_Name: 'x' } })).toThrow(/Bad_Name/);
    expect(() => cloudEvent({ id: 'e', type: 'T', source: 's', data: {}, key: 'k', extensions: { subject: 'x' } })).toThrow(/subject/);
  });
});
