/**
 * Serves the console: `/` (the page) and `/console/<hashed file>`, with the strict security headers,
 * content negotiation between brotli, gzip and identity, and ETag revalidation.
 */
import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import { PROBLEM_CONTENT_TYPE, Public, problem } from '@leakwatch/runtime';
import { ConsoleAsset } from './console-assets';
import { ConsoleAssets } from './console.service';
import { CONSOLE_SECURITY_HEADERS } from './security-headers';

@ApiExcludeController()
@Public()
@Controller()
export class ConsoleController {
  constructor(private readonly assets: ConsoleAssets) {}

  @Get()
  page(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, '/');
  }

  @Get('console/:file')
  file(@Param('file') file: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.send(req, res, `/console/${file}`);
  }

  private async send(req: Request, res: Response, urlPath: string): Promise<void> {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) res.header(name, value);
    const { asset, unavailable } = await this.assets.find(urlPath);
    if (unavailable) {
      res.status(503).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem(503, 'console-unavailable', 'Service unavailable', `The web console could not be built: ${unavailable}`)));
      return;
    }
    if (!asset) {
      res.status(404).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem(404, 'not-found', 'Not found', `No console file ${urlPath}.`)));
      return;
    }
    res.header('Content-Type', asset.type);
    res.header('ETag', asset.etag);
    res.header('Vary', 'Accept-Encoding');
    res.header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (req.headers['if-none-match'] === asset.etag) {
      res.status(304).send();
      return;
    }
    const { encoding, body } = negotiate(asset, String(req.headers['accept-encoding'] ?? ''));
    if (encoding) res.header('Content-Encoding', encoding);
    // Fastify sets Content-Length and sends no body to a HEAD request.
    res.status(200).send(body);
  }
}

function negotiate(asset: ConsoleAsset, acceptEncoding: string): { encoding?: string; body: Buffer } {
  const accepted = new Set(acceptEncoding.split(',').map((part) => part.split(';')[0].trim().toLowerCase()));
  if (accepted.has('br')) return { encoding: 'br', body: asset.brotli };
  if (accepted.has('gzip')) return { encoding: 'gzip', body: asset.gzip };
  return { body: asset.body };
}
