import { Body, Controller, Get, Header, HttpCode, HttpException, HttpStatus, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { isAuthError, type Principal } from '@vigil/auth';
import { SERVICE_CONFIG } from '@vigil/service';
import type { Request, Response } from 'express';
import type { AuthGatewayConfig } from '../auth-gateway.config';
import { ProxyMetrics } from '../proxy/proxy.metrics';
import { RateLimiter, type RateScope } from '../rate-limit/rate-limiter';
import { SessionGate } from '../sessions/session-gate';
import { SigningKeysService } from '../tokens/signing-keys.service';
import { badRequest, stringField, TooManyAttempts } from './auth-errors';
import { LoginService, type RequestMeta } from './login.service';

function metaOf(req: Request): RequestMeta {
  const traceId = req.headers['x-request-id'];
  return { ip: req.ip, traceId: typeof traceId === 'string' ? traceId : (req as Request & { id?: string }).id };
}

/** Tells a locked-out caller when to come back (RFC 9110 Retry-After). */
async function answer<T>(res: Response, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TooManyAttempts) res.setHeader('Retry-After', String(error.retryAfterSec));
    throw error;
  }
}

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly login: LoginService,
    private readonly keys: SigningKeysService,
    @Inject(SERVICE_CONFIG) private readonly config: AuthGatewayConfig,
    private readonly sessions: SessionGate,
    private readonly limiter: RateLimiter,
    private readonly metrics: ProxyMetrics,
  ) {}

  /**
   * Requests per second on the credential endpoints, per address and per account (Redis token
   * buckets shared by the replicas), before any password hashing: 429 rate_limited with
   * Retry-After. Failed attempts are counted separately (brute-force locks).
   */
  private async limit(req: Request, res: Response, account?: string): Promise<void> {
    const checks: Array<[RateScope, string]> = [['login_ip', req.ip ?? 'unknown']];
    if (account !== undefined) checks.push(['login_account', account]);
    for (const [scope, subject] of checks) {
      const verdict = await this.limiter.take(scope, subject);
      if (verdict.allowed) continue;
      this.metrics.rateLimited.inc({ scope });
      res.setHeader('Retry-After', String(verdict.retryAfterSec));
      throw new HttpException({ error: 'rate_limited', message: `too many requests; retry after ${verdict.retryAfterSec} s`, retryAfterSec: verdict.retryAfterSec }, HttpStatus.TOO_MANY_REQUESTS);
    }
  }

  @Post('v1/auth/login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async passwordLogin(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // The password is taken exactly as sent (no trimming); its length limits are for hashing cost.
    const username = stringField(body, 'username', 128);
    const password = stringField(body, 'password', 1024);
    await this.limit(req, res, `user:${username}`);
    return answer(res, () => this.login.login(username, password, metaOf(req)));
  }

  @Post('v1/auth/mfa/enrol')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  enrol(@Body() body: unknown, @Req() req: Request) {
    return this.login.startEnrolment(stringField(body, 'enrolmentToken', 128), metaOf(req));
  }

  @Post('v1/auth/mfa/enrol/confirm')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  confirm(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = stringField(body, 'enrolmentToken', 128);
    const code = stringField(body, 'code', 16);
    return answer(res, () => this.login.confirmEnrolment(token, code, metaOf(req)));
  }

  @Post('v1/auth/mfa/verify')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async verify(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const token = stringField(body, 'mfaToken', 128);
    await this.limit(req, res);
    const fields = (body ?? {}) as Record<string, unknown>;
    const proof = fields['recoveryCode'] !== undefined ? { recoveryCode: stringField(body, 'recoveryCode', 32) } : { code: stringField(body, 'code', 16) };
    return answer(res, () => this.login.verifyMfa(token, proof, metaOf(req)));
  }

  @Post('v1/auth/refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async refresh(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    await this.limit(req, res);
    return this.login.refresh(stringField(body, 'refreshToken', 128), metaOf(req));
  }

  @Post('v1/auth/logout')
  @HttpCode(204)
  async logout(@Body() body: unknown, @Req() req: Request): Promise<void> {
    await this.login.logout(stringField(body, 'refreshToken', 128), metaOf(req));
  }

  @Post('v1/auth/step-up')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async stepUp(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const principal = await this.bearer(req);
    const code = stringField(body, 'code', 16);
    return answer(res, () => this.login.stepUp(principal, code, metaOf(req)));
  }

  /** OAuth 2.0 client credentials (RFC 6749 §4.4): JSON or form body, or HTTP Basic for the client. */
  @Post('v1/auth/token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async token(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const fields = (body ?? {}) as Record<string, unknown>;
    if (fields['grant_type'] !== 'client_credentials') throw new HttpException({ error: 'unsupported_grant_type', message: 'grant_type: must be client_credentials' }, HttpStatus.BAD_REQUEST);
    let clientId: string;
    let clientSecret: string;
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 1) throw badRequest('Authorization: Basic credentials must be client_id:client_secret');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    } else {
      clientId = stringField(body, 'client_id', 128);
      clientSecret = stringField(body, 'client_secret', 1024);
    }
    await this.limit(req, res, `client:${clientId}`);
    return answer(res, () => this.login.clientCredentials(clientId, clientSecret, metaOf(req)));
  }

  /** The public keys that verify access tokens: the active one and the previous one. */
  @Get('.well-known/jwks.json')
  @Header('Cache-Control', 'public, max-age=60')
  jwks() {
    return this.keys.jwks();
  }

  private async bearer(req: Request): Promise<Principal> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new HttpException({ error: 'unauthorized', code: 'MISSING_TOKEN', message: 'Authorization: Bearer <access token> is required' }, HttpStatus.UNAUTHORIZED);
    try {
      const principal = await (await this.keys.verifier(this.config.VIGIL_AUTH_ISSUER, 'auth-gateway')).verify(match[1]);
      const refusal = await this.sessions.refusal(principal);
      if (refusal) throw refusal;
      return principal;
    } catch (error) {
      if (isAuthError(error)) throw new HttpException({ error: 'unauthorized', code: error.code, message: error.message }, HttpStatus.UNAUTHORIZED);
      throw error;
    }
  }
}
