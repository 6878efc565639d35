import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';

/**
 * A controller of the vault's authenticated API: its route prefix, OpenAPI tag, the bearer
 * token, and the answers every operation shares (401/403 from the gate, 503 sealed or
 * audit_unavailable). `forbidden` says when this controller's callers get 403.
 */
export function VaultApi(tag: string, prefix: string, forbidden = "The caller's roles do not grant the permission.") {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or invalid token, or step-up MFA required (error: step_up_required).' }),
    ApiForbiddenResponse({ description: forbidden }),
    ApiServiceUnavailableResponse({ description: "error 'sealed' (no or wrong master key; reason given) or 'audit_unavailable' (the audit event could not be produced: nothing was done)." }),
    Controller(prefix),
  );
}
