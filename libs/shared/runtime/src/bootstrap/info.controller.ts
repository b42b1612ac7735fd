import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { apiSchema, s } from '../http/openapi/schema-registry';
import { asyncApiDocument } from '@leakwatch/contracts';
import { SERVICE_NAME } from '../infrastructure/tokens';
import { Public } from '../http/public.decorator';

@ApiTags('operations')
@Public()
@Controller()
export class InfoController {
  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  // `/` is the web console (served by the gateway); this summary lives under the API's root.
  @Get('api')
  @ApiOperation({ summary: 'What this process is and where its docs are' })
  @ApiOkResponse({
    schema: apiSchema('ServiceInfo', s.object({ name: s.string(), service: s.string(), docs: s.string(), openapi: s.string(), asyncapi: s.string(), health: s.string(), metrics: s.string() })),
    example: { name: 'leakwatch', service: 'all', docs: '/docs', openapi: '/docs/openapi.json', asyncapi: '/docs/asyncapi.json', health: '/health', metrics: '/metrics' },
  })
  info() {
    return {
      name: 'leakwatch', service: this.service, docs: '/docs', openapi: '/docs/openapi.json', asyncapi: '/docs/asyncapi.json', health: '/health', metrics: '/metrics',
    };
  }

  /** The integration topics (Kafka), as AsyncAPI 3.0: the same document in every process. */
  @Get('docs/asyncapi.json')
  @ApiExcludeEndpoint()
  asyncApi() {
    return asyncApiDocument();
  }
}
