/**
 * The yardstick of the token-check benchmark: a bare NestJS endpoint on the same framework and platform
 * (Express), no auth, no validation, a constant answer. Printed port on stdout's first line.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class BareController {
  @Post('check')
  @HttpCode(200)
  check(@Body() _body: unknown) {
    return { leaked: false, blocked: false };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

void (async () => {
  const app = await NestFactory.create(BareModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${address.port}\n`);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
})();
