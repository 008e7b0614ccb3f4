import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res, UseGuards, UsePipes } from '@nestjs/common';
import { ApiCookieAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPublic } from '../common/api-docs.decorator.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SignInDto } from './sign-in.dto.js';
import { AdminBodyLimitsGuard } from '../auth/admin-body-limits.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { adminValidationPipe } from '../common/validation.pipe.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { CSRF_HEADER, SESSION_COOKIE, sessionCookie, SessionsService, type SessionView } from '../auth/sessions.service.js';

/** Sign-in, the current session and sign-out of the web console. */
@ApiTags('console session')
@UseGuards(AdminBodyLimitsGuard)
@UsePipes(adminValidationPipe)
@Controller('api/session')
export class SessionController {
  constructor(
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in a console user: sets the HttpOnly session cookie and answers the CSRF token for X-CSRF-Token',
  })
  @ApiPublic()
  @ApiOkResponse({ description: 'Signed in: the session, with its CSRF token' })
  @ApiErrors(ErrorCode.InvalidArgument, ErrorCode.InvalidBody, ErrorCode.Unauthenticated, ErrorCode.Forbidden, ErrorCode.RateLimited)
  async signIn(@Body() body: SignInDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionView> {
    refuseCrossSite(request);
    const { token, ...session } = await this.sessions.signIn(body.email, body.password, request.ip);
    reply.header('set-cookie', this.cookie(token, this.config.consoleSessionTtlSeconds));
    reply.header('cache-control', 'no-store');
    return session;
  }

  @Get()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'The signed-in user, its tenants and roles, and the CSRF token' })
  @ApiOkResponse({ description: 'The session' })
  @ApiErrors(ErrorCode.Unauthenticated)
  current(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionView> {
    reply.header('cache-control', 'no-store');
    return this.sessions.current(requireSession(request));
  }

  @Delete()
  @HttpCode(204)
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Sign out: the session ends on every device it was copied to' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiErrors(ErrorCode.Unauthenticated, ErrorCode.Forbidden)
  async signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const token = requireSession(request);
    // Checks the CSRF token, so another site cannot sign the user out.
    await this.sessions.principal(token, request.method, header(request, CSRF_HEADER));
    await this.sessions.signOut(token);
    reply.header('set-cookie', this.cookie('', 0));
  }

  private cookie(value: string, maxAge: number): string {
    const secure = this.config.publicBaseUrl.startsWith('https:') ? '; Secure' : '';
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
  }
}

function requireSession(request: FastifyRequest): string {
  const token = sessionCookie(request.headers.cookie);
  if (!token) throw new AppError(ErrorCode.Unauthenticated, 'Not signed in');
  return token;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A sign-in posted by another site's page (login CSRF) is refused; browsers send Origin on POST. */
function refuseCrossSite(request: FastifyRequest): void {
  const origin = header(request, 'origin');
  if (!origin) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (host !== request.headers.host) throw new AppError(ErrorCode.Forbidden, 'Sign-in from another site is refused');
}
