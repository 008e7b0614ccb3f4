import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../common/app-error.js';
import { errorBody } from '../common/error.filter.js';
import { ConsoleFiles } from './console-files.js';

// The console's own scripts and styles only; nothing from elsewhere, no framing.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Serves the web console at /console: its built files, and index.html for the console's own routes. */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  constructor(private readonly files: ConsoleFiles) {}

  @Get()
  index(@Res() reply: FastifyReply): void {
    this.send(reply, '');
  }

  // Fastify's wildcard: the rest of the path, decoded, in params['*'].
  @Get('*')
  file(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.send(reply, (request.params as Record<string, string>)['*'] ?? '');
  }

  private send(reply: FastifyReply, path: string): void {
    if (!this.files.built) {
      void reply.status(404).send(errorBody(ErrorCode.NotFound, 'The console is not built: run npm run build'));
      return;
    }
    const file = this.files.find(path);
    // A path with a file extension names an asset: 404 when it is not one. Anything else is a
    // route of the single-page app, answered with its index.
    const target = file ?? (/\.[A-Za-z0-9]+$/.test(path) ? null : this.files.find(''));
    if (!target) {
      void reply.status(404).send(errorBody(ErrorCode.NotFound, `No console file ${path.slice(0, 200)}`));
      return;
    }
    void reply
      .header('content-type', target.contentType)
      .header('cache-control', target.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('referrer-policy', 'no-referrer')
      .send(target.body);
  }
}
