/**
 * Registers leak-lifecycle's mapping of its stored leak events to the `leakwatch.leaks.v1` contract, used by
 * the relay (Kafka) and the in-process bus alike (and by `leakwatch events tail` on an embedded store).
 */
import { Inject, Injectable } from '@nestjs/common';
import { leakEventCodec, toLeakEventV1 } from '@leakwatch/leak-lifecycle/domain';
import { IntegrationMapper, IntegrationMapperRegistry, TOPICS } from '@leakwatch/messaging';
import { INTEGRATION_MAPPERS } from '@leakwatch/runtime';

export const leakIntegrationMapper: IntegrationMapper = (event) => {
  const decoded = leakEventCodec.decode(event);
  return decoded ? toLeakEventV1(decoded) : null;
};

@Injectable()
export class LeakIntegrationEvents {
  constructor(@Inject(INTEGRATION_MAPPERS) registry: IntegrationMapperRegistry) {
    registry.register(TOPICS.leaks, leakIntegrationMapper);
  }
}
