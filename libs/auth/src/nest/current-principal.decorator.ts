import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '../token/principal.type';

const PRINCIPAL = Symbol('vigil.auth.principal');

/** Attaches the verified caller to the request (done by PermissionGuard). */
export function setPrincipal(req: object, principal: Principal): void {
  (req as Record<symbol, Principal>)[PRINCIPAL] = principal;
}

/** The verified caller of a request that passed PermissionGuard, else undefined. */
export function principalOf(req: object): Principal | undefined {
  return (req as Record<symbol, Principal | undefined>)[PRINCIPAL];
}

/** Handler parameter: the verified caller (route guarded by @RequirePermission). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext) => principalOf(ctx.switchToHttp().getRequest()));
