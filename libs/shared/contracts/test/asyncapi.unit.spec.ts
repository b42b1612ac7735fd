import { Parser } from '@asyncapi/parser';
import { ACCESS_EVENT_TYPES, ASYNCAPI_TOPIC_MESSAGES, API_USAGE_RECORDED, FINDING_RECEIVED, FINDING_RESOLUTION_RECEIVED, LEAKED_TOKEN_USE_ATTEMPTED, LEAK_EVENT_TYPES_V1, asyncApiDocument } from '../src';

describe('the AsyncAPI 3.0 document of the integration topics', () => {
  it('is valid for the official parser: no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(asyncApiDocument()));
    // Severity 0 = error, 1 = warning (2 = information: e.g. that 3.1 exists; the contract is 3.0 on purpose).
    const problems = diagnostics.filter((d) => d.severity < 2);
    expect(problems.map((d) => `${d.severity} ${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const addresses = document?.channels().all().map((c) => c.address());
    expect(addresses).toEqual(['leakwatch.findings.v1', 'leakwatch.leaks.v1', 'leakwatch.access.v1', 'leakwatch.gateway.v1']);
    for (const channel of document?.channels().all() ?? []) {
      for (const message of channel.messages().all()) {
        expect(message.headers()?.json()).toMatchObject({ required: expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_partitionkey']) });
        expect(message.payload()?.type()).toBe('object');
      }
    }
  });

  it('declares exactly the message types of the TypeScript contracts', () => {
    expect(ASYNCAPI_TOPIC_MESSAGES).toEqual({
      'leakwatch.findings.v1': [FINDING_RECEIVED, FINDING_RESOLUTION_RECEIVED],
      'leakwatch.leaks.v1': [...LEAK_EVENT_TYPES_V1],
      'leakwatch.access.v1': [...ACCESS_EVENT_TYPES],
      'leakwatch.gateway.v1': [API_USAGE_RECORDED, LEAKED_TOKEN_USE_ATTEMPTED],
    });
  });
});
