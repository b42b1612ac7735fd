/**
 * Why `kafka-binary-mode.ts` decodes and encodes by hand instead of with the `cloudevents` SDK (see its header):
 * these are the SDK behaviours that reason rests on, next to what our codec does with the same input. If an SDK
 * upgrade changes one of them, this fails and the decision is due for another look.
 */
import { CloudEvent as SdkCloudEvent, Kafka as CloudEventsKafka } from 'cloudevents';
import { decodeBinaryMode, encodeBinaryMode } from '../src';
import { testEvent } from './helpers';

type SdkMessage = Parameters<typeof CloudEventsKafka.toEvent>[0];
const HEADERS = { ce_id: 'e-1', ce_type: 'LeakDetected', ce_source: 'leakwatch/test', ce_specversion: '1.0', ce_time: '2026-11-20T10:00:00.123456+02:00', 'content-type': 'application/json' };
const sdkDecode = (message: { headers: Record<string, unknown>; key: unknown; value: unknown }) =>
  CloudEventsKafka.toEvent({ ...message, body: message.value } as unknown as SdkMessage) as SdkCloudEvent<unknown>;

describe('binary mode by hand, not with the cloudevents SDK', () => {
  it('a non-JSON value: the SDK throws an error quoting the value; our decoder answers a reason without it', () => {
    const message = { headers: HEADERS, key: 'k', value: 'password=hunter2' };
    expect(() => sdkDecode(message)).toThrow(/hunter2/);
    const ours = decodeBinaryMode(message);
    expect(ours).toMatchObject({ ok: false, error: { reason: 'message value is not valid JSON', eventId: 'e-1' } });
    expect(JSON.stringify(ours) + (ours.ok ? '' : ours.error.message)).not.toContain('hunter2');
  });

  it('an unparseable ce_time: the SDK throws; our decoder answers a reason', () => {
    const message = { headers: { ...HEADERS, ce_time: 'yesterday' }, key: 'k', value: '{}' };
    expect(() => sdkDecode(message)).toThrow(RangeError);
    expect(decodeBinaryMode(message)).toMatchObject({ ok: false, error: { reason: 'ce_time is not RFC 3339' } });
  });

  it('missing ce_type and ce_source: the SDK decodes without complaint; our decoder refuses', () => {
    const { ce_type: _type, ce_source: _source, ...headers } = HEADERS;
    const message = { headers, key: 'k', value: '{}' };
    expect(sdkDecode(message)).toMatchObject({ id: 'e-1' });
    expect(decodeBinaryMode(message)).toMatchObject({ ok: false, error: { reason: 'missing header ce_type' } });
  });

  it('time: the SDK rewrites it (offset and microseconds lost); ours keeps it as sent', () => {
    const message = { headers: HEADERS, key: 'k', value: '{}' };
    expect(sdkDecode(message).time).toBe('2026-11-20T08:00:00.123Z');
    expect(decodeBinaryMode(message)).toMatchObject({ ok: true, event: { time: HEADERS.ce_time } });
  });

  it('kafkajs hands headers over as Buffers: the SDK fails on them (it expects strings); ours reads them as text', () => {
    const headers = Object.fromEntries(Object.entries(HEADERS).map(([k, v]) => [k, Buffer.from(v)]));
    const message = { headers, key: Buffer.from('k'), value: Buffer.from('{"a":1}') };
    expect(() => sdkDecode(message)).toThrow(TypeError);
    expect(decodeBinaryMode(message)).toMatchObject({ ok: true, event: { type: 'LeakDetected', data: { a: 1 }, key: 'k' } });
  });

  it('encoding: the SDK leaves the data object as the message value and adds ce_datacontenttype; ours sends JSON text', () => {
    const sdk = CloudEventsKafka.binary(new SdkCloudEvent({ id: 'e-1', type: 't', source: 'leakwatch/test', datacontenttype: 'application/json', data: { a: 1 }, partitionkey: 'k' }));
    expect(sdk.value).toEqual({ a: 1 });
    expect(sdk.headers).toHaveProperty('ce_datacontenttype');
    const ours = encodeBinaryMode(testEvent('k', { a: 1 }));
    expect(ours.value).toBe('{"a":1}');
    expect(ours.headers).not.toHaveProperty('ce_datacontenttype');
  });
});
