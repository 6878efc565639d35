import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiServiceUnavailableResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuthzContext } from '../rbac/rbac-policy';
import { CONCRETE_PERMISSION } from '../rbac/permission';
import { PERMISSION_REQUIREMENT } from './auth.constants';
import { PermissionGuard } from './permission.guard';

export interface PermissionRequirement {
  permission: string;
  /** The audited resource; default `route:<METHOD> <path>`. E.g. (req) => `secret:${req.params.name}`. */
  resource?: (req: Request) => string;
  /** Request facts the policy needs, e.g. a silence's duration: (req) => ({ durationSec: req.body?.durationSec }). */
  context?: (req: Request) => Omit<AuthzContext, 'now'>;
}

/**
 * Guards a route (or every route of a controller) with one permission: bearer token
 * verified, permission authorized against the RBAC policy, step-up enforced for sensitive
 * actions, and the decision audited. Routes without it are not guarded.
 */
export function RequirePermission(permission: string, options: Omit<PermissionRequirement, 'permission'> = {}): MethodDecorator & ClassDecorator {
  if (!CONCRETE_PERMISSION.test(permission)) {
    throw new TypeError(`@RequirePermission(${JSON.stringify(permission)}): must be a concrete resource:action such as secrets:write`);
  }
  const requirement: PermissionRequirement = { permission, ...options };
  return applyDecorators(
    SetMetadata(PERMISSION_REQUIREMENT, requirement),
    UseGuards(PermissionGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or invalid token, or step-up MFA required (error: step_up_required).' }),
    ApiForbiddenResponse({ description: `The caller's roles do not grant ${permission}.` }),
    ApiServiceUnavailableResponse({ description: 'The decision could not be audited or the signing keys could not be loaded.' }),
  );
}
