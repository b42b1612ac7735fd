import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
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
