import { AuthError } from './auth-error';
import { PRINCIPAL_TYPES, type Principal } from './principal.type';

/** What a Vigil access token must say, beyond its signature. */
export interface ClaimRules {
  issuer: string;
  audience: string;
  clockToleranceSec: number;
  /** Epoch seconds. */
  nowSec: number;
}

/**
 * The claims of a signature-checked access token, turned into a Principal. Presence and
 * types first (MISSING_CLAIM, MALFORMED), then who issued it and for whom, then time.
 */
export function principalFromClaims(payload: Uint8Array, rules: ClaimRules): Principal {
  const claims = parseClaims(payload);
  const iss = requiredString(claims, 'iss');
  const aud = requiredAudience(claims);
  const sub = requiredString(claims, 'sub');
  const exp = requiredNumber(claims, 'exp');
  const iat = requiredNumber(claims, 'iat');
  const nbf = optionalNumber(claims, 'nbf');
  const authTime = requiredNumber(claims, 'auth_time');
  const roles = requiredStringArray(claims, 'roles');
  const amr = requiredStringArray(claims, 'amr');
  const type = requiredString(claims, 'principal_type');
  const jti = claims['jti'] === undefined ? undefined : requiredString(claims, 'jti');
  const sid = claims['sid'] === undefined ? undefined : requiredString(claims, 'sid');
  if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
    throw new AuthError('MALFORMED', `claim principal_type must be one of ${PRINCIPAL_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
  }

  if (iss !== rules.issuer) throw new AuthError('WRONG_ISSUER', `claim iss ${JSON.stringify(iss)} is not the trusted issuer ${JSON.stringify(rules.issuer)}`);
  if (!aud.includes(rules.audience)) throw new AuthError('WRONG_AUDIENCE', `claim aud ${JSON.stringify(aud)} does not include this service (${JSON.stringify(rules.audience)})`);

  const { nowSec, clockToleranceSec: tolerance } = rules;
  if (nbf !== undefined && nbf > nowSec + tolerance) throw new AuthError('TOKEN_NOT_YET_VALID', `claim nbf is ${nbf - nowSec} s in the future`);
  if (iat > nowSec + tolerance) throw new AuthError('TOKEN_NOT_YET_VALID', `claim iat is ${iat - nowSec} s in the future`);
  if (authTime > nowSec + tolerance) throw new AuthError('MALFORMED', `claim auth_time is ${authTime - nowSec} s in the future`);
  if (exp <= nowSec - tolerance) throw new AuthError('TOKEN_EXPIRED', `the token expired ${nowSec - exp} s ago; get a new one`);

  return { type: type as Principal['type'], id: sub, roles, authTime, amr, expiresAt: exp, ...(jti === undefined ? {} : { tokenId: jti }), ...(sid === undefined ? {} : { sessionId: sid }) };
}

type Claims = Record<string, unknown>;

function parseClaims(payload: Uint8Array): Claims {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new AuthError('MALFORMED', 'the payload is not UTF-8 JSON');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new AuthError('MALFORMED', 'the payload is not a JSON object');
  return claims as Claims;
}

function present(claims: Claims, name: string): unknown {
  const value = claims[name];
  if (value === undefined || value === null) throw new AuthError('MISSING_CLAIM', `claim ${name} is required`);
  return value;
}

function requiredString(claims: Claims, name: string): string {
  const value = present(claims, name);
  if (typeof value !== 'string' || value === '') throw new AuthError('MALFORMED', `claim ${name} must be a non-empty string (got ${kindOf(value)})`);
  return value;
}

function requiredNumber(claims: Claims, name: string): number {
  const value = present(claims, name);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new AuthError('MALFORMED', `claim ${name} must be a NumericDate (got ${kindOf(value)})`);
  return value;
}

function optionalNumber(claims: Claims, name: string): number | undefined {
  return claims[name] === undefined ? undefined : requiredNumber(claims, name);
}

function requiredStringArray(claims: Claims, name: string): string[] {
  const value = present(claims, name);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new AuthError('MALFORMED', `claim ${name} must be an array of non-empty strings (got ${kindOf(value)})`);
  }
  return value;
}

function requiredAudience(claims: Claims): string[] {
  const value = present(claims, 'aud');
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '')) return value;
  throw new AuthError('MALFORMED', `claim aud must be a string or an array of strings (got ${kindOf(value)})`);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}
