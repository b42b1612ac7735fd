/**
 * The web console: a static single-page app built in memory at start-up and served by the gateway at `/`,
 * plus the one endpoint it needs that the API did not have (`GET /api/v1/session`).
 */
import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';
import { ConsoleAssets } from './console.service';
import { SessionController } from './session.controller';

@Module({
  controllers: [ConsoleController, SessionController],
  providers: [ConsoleAssets],
})
export class ConsoleModule {}
