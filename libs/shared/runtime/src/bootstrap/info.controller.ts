import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
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
    return { name: 'leakwatch', service: this.service, docs: '/docs', openapi: '/docs/openapi.json', health: '/health', metrics: '/metrics' };
  }
}
