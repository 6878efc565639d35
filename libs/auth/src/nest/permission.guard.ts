import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { bearerToken, decisionEvent, type AuthzOutcome } from '../audit/decision-event';
import type { RbacPolicy } from '../rbac/rbac-policy';
import { AuthError } from '../token/auth-error';
import type { Principal } from '../token/principal.type';
import type { TokenVerifier } from '../token/token-verifier';
import type { AuditSink } from './audit-sink';
import { AUDIT_SINK, AUTH_MODULE_OPTIONS, PERMISSION_REQUIREMENT, RBAC_POLICY, TOKEN_VERIFIER } from './auth.constants';
import type { AuthModuleOptions } from './auth-module.options';
import { setPrincipal } from './current-principal.decorator';
import type { PermissionRequirement } from './require-permission.decorator';


/**
 * Verifies the bearer token, authorizes the route's permission, enforces step-up and
 * audits the decision (allowed or denied) before the handler runs. Applied by
 * @RequirePermission; answers 401 (no/bad token, or step-up needed), 403 (not granted)
 * or 503 (keys or audit unavailable: fail closed).
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  private readonly logger = new Logger('PermissionGuard');

  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(RBAC_POLICY) private readonly policy: RbacPolicy,
    @Inject(AUDIT_SINK) private readonly sink: AuditSink,
    @Inject(AUTH_MODULE_OPTIONS) private readonly options: AuthModuleOptions,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const requirement = this.reflector.getAllAndOverride<PermissionRequirement | undefined>(PERMISSION_REQUIREMENT, [context.getHandler(), context.getClass()]);
    if (!requirement) {
      // Reached only when the guard is applied without @RequirePermission: refuse rather than guess.
      this.logger.error(`${req.method} ${pathOf(req)}: PermissionGuard without @RequirePermission; refusing. Declare the route's permission.`);
      throw new ForbiddenException({ error: 'forbidden', message: 'this route declares no permission' });
    }

    const outcome = await this.decide(req, requirement);
    await this.audit(req, requirement, outcome);

    if (outcome.kind === 'allowed') {
      setPrincipal(req, outcome.principal);
      return true;
    }
    if (outcome.kind === 'unauthenticated') throw this.unauthenticated(res, outcome.error);
    const { decision } = outcome;
    if (decision.stepUpRequired) {
      const maxAge = decision.stepUpMaxAgeSec ?? this.policy.stepUpMaxAgeSec;
      // RFC 9470: the client re-authenticates with MFA and retries with the new token.
      res.setHeader('WWW-Authenticate', `Bearer error="insufficient_user_authentication", error_description="step-up MFA required", max_age=${maxAge}`);
      throw new UnauthorizedException({
        error: 'step_up_required',
        message: `${decision.permission} is a sensitive action: verify a one-time code (MFA) and retry with the new token; it must be at most ${maxAge} s old`,
        permission: decision.permission,
        maxAgeSec: maxAge,
      });
    }
    throw new ForbiddenException({ error: 'forbidden', message: `your roles do not grant ${decision.permission}`, permission: decision.permission });
  }

  private async decide(req: Request, requirement: PermissionRequirement): Promise<AuthzOutcome> {
    const token = bearerToken(req.headers.authorization);
    if (token instanceof AuthError) return { kind: 'unauthenticated', error: token };
    let principal: Principal;
    try {
      principal = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof AuthError) return { kind: 'unauthenticated', error };
      throw error;
    }
    const decision = this.policy.authorize(principal, requirement.permission, { ...requirement.context?.(req), now: Date.now() });
    return { kind: decision.allowed ? 'allowed' : 'denied', principal, decision };
  }

  private async audit(req: Request, requirement: PermissionRequirement, outcome: AuthzOutcome): Promise<void> {
    const event = decisionEvent({
      service: this.options.service,
      permission: requirement.permission,
      policyVersion: this.policy.version,
      outcome,
      resource: resourceOf(req, requirement),
      ip: req.ip ?? req.socket?.remoteAddress,
      traceId: traceIdOf(req),
    });
    try {
      await this.sink.record(event);
    } catch (error) {
      this.logger.error(`audit sink failed (${(error as Error)?.message ?? String(error)}); refusing ${event.outcome} ${requirement.permission} with 503 (fail closed)`);
      throw new ServiceUnavailableException({ error: 'audit_unavailable', message: 'the authorization decision could not be audited, so the request was refused; retry later' });
    }
  }

  private unauthenticated(res: Response, error: AuthError): HttpException {
    if (error.code === 'KEYS_UNAVAILABLE') {
      this.logger.error(`token signing keys unavailable: ${error.message}`);
      return new ServiceUnavailableException({ error: 'auth_unavailable', message: 'the token signing keys could not be loaded; retry later' });
    }
    res.setHeader('WWW-Authenticate', error.code === 'MISSING_TOKEN' ? 'Bearer realm="vigil"' : 'Bearer realm="vigil", error="invalid_token"');
    return new UnauthorizedException({ error: 'unauthorized', code: error.code, message: error.message });
  }
}

const pathOf = (req: Request) => (req.originalUrl ?? req.url).split('?')[0];

function resourceOf(req: Request, requirement: PermissionRequirement): string {
  const resource = requirement.resource?.(req);
  return resource && resource.length > 0 ? resource : `route:${req.method} ${pathOf(req)}`;
}

// pino-http's request id (libs/service keeps a sane X-Request-Id from the gateway).
function traceIdOf(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id ?? req.headers['x-request-id'];
  return typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id) ? id : undefined;
}
