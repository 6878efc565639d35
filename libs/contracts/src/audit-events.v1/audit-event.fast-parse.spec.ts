import { exampleAuditEvent } from '../testing';
import {
  fastParseProblem,
  ODD_FIELD_VALUES,
  ODD_TIMESTAMPS,
  PROTOTYPE_KEYS,
  Rng,
  SECRET_LIKE_STRINGS,
  treeDifference,
} from '../testing/fast-parse-equivalence';
import { defineContract } from '../validation/define-contract';
import { fastParseAuditEvent as fastParse } from './audit-event.fast-parse';
import { ACTOR_TYPES, AUDIT_OUTCOMES } from './audit-event.type';
import { auditEventsContract, auditEventsContractSpec } from './audit-events.contract';

// The contract as it was before the fast path: the schema alone decides.
const { fastParse: _unused, ...schemaOnlySpec } = auditEventsContractSpec;
const schemaOnly = defineContract(schemaOnlySpec);

const FIELDS = ['eventId', 'ts', 'service', 'actor', 'action', 'resource', 'outcome', 'reason', 'traceId', 'details'] as const;
const ACTOR_FIELDS = ['type', 'id', 'roles', 'ip'] as const;
const IPS = ['127.0.0.1', '10.0.0.255', '::1', '2001:db8::1', 'fe80::1%eth0', '::ffff:192.0.2.1', '999.1.1.1', '1.2.3', '127.000.000.001', ' ::1', ''];
const ACTIONS = ['auth.login', 'secrets.read', 'auth.mfa_check', 'keys.rotate-all', 'reports.stor.export', 'login', 'Auth.Login', 'auth..login', 'auth.', '.auth', 'auth.login\n'];
const DETAIL_KEYS = ['keyVersion', 'cached', 'tokenId', 'secretPath', 'passwordChanged', 'attempts', '0', '10', '2', 'a b', 'é', ''];
const SECRET_KEYS = ['password', 'api_key', 'API-KEY', 'clientSecret', 'token', 'Authorization', 'mfaCode', 'set-cookie'];

/** Free-form JSON for details, `depth` levels at most. */
function jsonValue(rng: Rng, depth: number): unknown {
  const kind = depth <= 0 ? rng.int(0, 3) : rng.int(0, 5);
  switch (kind) {
    case 0:
      return rng.text(rng.int(0, 30));
    case 1:
      return rng.pick([0, -0, 1, -1.5, 1e21, 4, rng.positive()]);
    case 2:
      return rng.chance(0.5);
    case 3:
      return null;
    case 4:
      return Array.from({ length: rng.int(0, 4) }, () => jsonValue(rng, depth - 1));
    default:
      return jsonObject(rng, depth - 1);
  }
}

function jsonObject(rng: Rng, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let n = rng.int(0, 5); n > 0; n--) object[rng.chance(0.7) ? rng.pick(DETAIL_KEYS) : rng.text(rng.int(1, 12))] = jsonValue(rng, depth);
  return object;
}

function validEvent(rng: Rng): Record<string, unknown> {
  const actor: Record<string, unknown> = { type: rng.pick(ACTOR_TYPES), id: rng.text() };
  if (rng.chance(0.5)) actor['roles'] = Array.from({ length: rng.int(0, 3) }, () => rng.text(rng.int(1, 16)));
  if (rng.chance(0.5)) actor['ip'] = rng.pick(IPS.slice(0, 6));
  const event: Record<string, unknown> = {
    eventId: rng.text(),
    ts: rng.timestamp(true),
    service: rng.text(10),
    actor: rng.chance(0.3) ? Object.fromEntries(rng.shuffle(Object.entries(actor))) : actor,
    action: rng.pick(ACTIONS.slice(0, 5)),
    resource: rng.text(),
    outcome: rng.pick(AUDIT_OUTCOMES),
  };
  if (rng.chance(0.3)) event['reason'] = rng.text();
  if (rng.chance(0.5)) event['traceId'] = rng.text(32);
  if (rng.chance(0.8)) event['details'] = jsonObject(rng, rng.int(0, 4));
  if (rng.chance(0.1)) event['extra'] = rng.pick(ODD_FIELD_VALUES);
  return rng.chance(0.5) ? Object.fromEntries(rng.shuffle(Object.entries(event))) : event;
}

/** Somewhere inside details, something the guard or the JSON rules may object to (or may not). */
function oddDetail(rng: Rng): unknown {
  return rng.pick<() => unknown>([
    () => ({ [rng.pick(SECRET_KEYS)]: rng.pick([null, true, false, 'x', 1, {}, [], undefined]) }),
    () => rng.pick(SECRET_LIKE_STRINGS),
    () => [rng.pick(SECRET_LIKE_STRINGS)],
    () => JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown,
    () => ({ [rng.pick(PROTOTYPE_KEYS)]: rng.pick([1, 'x', {}, null]) }),
    () => ({ [Symbol('s')]: 1, a: 1 }),
    () => Object.assign(Object.create(null), { a: 1 }) as unknown,
    () => new Date(0),
    () => new Map([['a', 1]]),
    () => rng.pick([Number.NaN, Number.POSITIVE_INFINITY, 1n, undefined, () => 1, Symbol('s')]),
    () => [1, undefined, 2],
    // eslint-disable-next-line no-sparse-arrays
    () => [1, , 3],
    () => nested(rng.int(7, 35)),
    () => new (class Custom {
      a = 1;
    })(),
    () => Object.defineProperty({ a: 1 }, 'hidden', { value: 'Bearer 0123456789', enumerable: false }),
    // zod's record judges a top-level object by its constructor property, own or inherited.
    () => Object.defineProperty({ a: 1 }, 'constructor', { value: class Other {}, enumerable: false }),
    () => ({ constructor: rng.pick(['x', 1, null, {}, Object]), a: 1 }),
  ])();
}

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
  return value;
}

/** Puts `value` at a random place inside `object` (a copy down that path). */
function plant(rng: Rng, object: Record<string, unknown>, value: unknown): Record<string, unknown> {
  const copy = { ...object };
  const keys = Object.keys(copy).filter((key) => typeof copy[key] === 'object' && copy[key] !== null && !Array.isArray(copy[key]));
  if (keys.length > 0 && rng.chance(0.5)) {
    const key = rng.pick(keys);
    copy[key] = plant(rng, copy[key] as Record<string, unknown>, value);
  } else {
    copy[rng.chance(0.5) ? rng.pick([...DETAIL_KEYS, ...SECRET_KEYS]) : 'planted'] = value;
  }
  return copy;
}

function mutate(rng: Rng, event: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...event };
  const choice = rng.next();
  const field = rng.pick([...FIELDS, 'extra']);
  if (choice < 0.25) {
    const details = typeof copy['details'] === 'object' && copy['details'] !== null ? (copy['details'] as Record<string, unknown>) : {};
    copy['details'] = rng.chance(0.1) ? oddDetail(rng) : plant(rng, details, oddDetail(rng));
  } else if (choice < 0.45) {
    const actor = typeof copy['actor'] === 'object' && copy['actor'] !== null ? { ...(copy['actor'] as Record<string, unknown>) } : {};
    const actorField = rng.pick(ACTOR_FIELDS);
    const odd = rng.next();
    if (odd < 0.2) delete actor[actorField];
    else if (odd < 0.4) actor[actorField] = actorField === 'ip' ? rng.pick(IPS) : rng.pick([...ACTOR_TYPES, 'robot', 'USER']);
    else if (odd < 0.5) actor[actorField] = [rng.text(), rng.pick(ODD_FIELD_VALUES)];
    else actor[actorField] = rng.pick(ODD_FIELD_VALUES);
    copy['actor'] = actor;
  } else if (choice < 0.55) {
    delete copy[field];
  } else if (choice < 0.65) {
    copy['ts'] = rng.pick(ODD_TIMESTAMPS);
  } else if (choice < 0.7) {
    copy['action'] = rng.pick(ACTIONS);
  } else if (choice < 0.75) {
    copy[field] = rng.pick([...AUDIT_OUTCOMES, 'ok', 'DENIED']);
  } else {
    copy[field] = rng.pick(ODD_FIELD_VALUES);
  }
  return copy;
}

function expectEquivalent(input: unknown): void {
  const problem = fastParseProblem(fastParse, schemaOnly.parse, input);
  if (problem) throw new Error(`${problem}\ninput: ${shown(input)}`);
  // And the contract as a whole: the same value, or the same violation, as before.
  const actual = outcome(auditEventsContract.parse, input);
  const expected = outcome(schemaOnly.parse, input);
  if ('error' in expected) expect(actual).toEqual(expected);
  else expect('value' in actual ? treeDifference(actual.value, expected.value, '(root)') : actual).toBeUndefined();
}

function outcome(parse: (input: unknown) => unknown, input: unknown): { value: unknown } | { error: string } {
  try {
    return { value: parse(input) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function shown(input: unknown): string {
  try {
    return JSON.stringify(input);
  } catch {
    return String(input);
  }
}

describe('audit.events.v1 fast parse', () => {
  it('returns what the schema returns for generated valid events, and takes them all', () => {
    const rng = new Rng(20260302);
    for (let i = 0; i < 2000; i++) {
      const event = validEvent(rng);
      expectEquivalent(event);
      expect(fastParse(event)).toBeDefined();
    }
  });

  it('never accepts what the schema rejects, nor returns another value, for mutated events', () => {
    const rng = new Rng(7);
    let rejected = 0;
    let taken = 0;
    for (let i = 0; i < 4000; i++) {
      let input = validEvent(rng);
      for (let n = rng.int(1, 3); n > 0; n--) input = mutate(rng, input);
      expectEquivalent(input);
      if ('error' in outcome(schemaOnly.parse, input)) rejected++;
      if (fastParse(input) !== undefined) taken++;
    }
    // Both sides are exercised: many rejected, many still valid and taken by the fast path.
    expect(rejected).toBeGreaterThan(1500);
    expect(taken).toBeGreaterThan(400);
  });

  it('defers or agrees on every odd value in every field and actor field, every odd timestamp and detail', () => {
    const rng = new Rng(1);
    const base = exampleAuditEvent({ reason: 'because' });
    for (const odd of ODD_FIELD_VALUES) {
      for (const field of [...FIELDS, 'extra']) expectEquivalent({ ...base, [field]: odd });
      for (const field of ACTOR_FIELDS) expectEquivalent({ ...base, actor: { ...base.actor, [field]: odd } });
      expectEquivalent({ ...base, actor: { ...base.actor, roles: ['a', odd] } });
      expectEquivalent({ ...base, details: { a: odd } });
    }
    for (const field of FIELDS) {
      const { [field]: _removed, ...without } = base;
      expectEquivalent(without);
    }
    for (const ts of ODD_TIMESTAMPS) expectEquivalent({ ...base, ts });
    for (const ip of IPS) expectEquivalent({ ...base, actor: { ...base.actor, ip } });
    for (const action of ACTIONS) expectEquivalent({ ...base, action });
    for (let i = 0; i < 500; i++) {
      expectEquivalent({ ...base, details: plant(rng, jsonObject(rng, 2), oddDetail(rng)) });
      expectEquivalent({ ...base, details: oddDetail(rng) });
    }
    for (const key of PROTOTYPE_KEYS) expectEquivalent({ ...base, [key]: { eventId: 'x' } });
    expectEquivalent(JSON.parse(`{"__proto__": {"outcome": "denied"}, ${JSON.stringify(base).slice(1)}`));
    expectEquivalent(Object.create(base));
  });

  it('copies actor, roles and details, so the value shares nothing with the input', () => {
    const details = { nested: { list: [1, { a: 'b' }] } };
    const input = exampleAuditEvent({ details });
    const parsed = fastParse(input);
    expect(parsed).toEqual(input);
    expect(parsed?.actor).not.toBe(input.actor);
    expect(parsed?.actor.roles).not.toBe(input.actor.roles);
    expect(parsed?.details).not.toBe(details);
    expect(parsed?.details?.['nested']).not.toBe(details.nested);
    expect(fastParseProblem(fastParse, schemaOnly.parse, input)).toBeUndefined();
  });

  it('takes the example events, also after a JSON round trip', () => {
    const examples = [
      exampleAuditEvent(),
      exampleAuditEvent({ actor: { type: 'user', id: 'alice', ip: '2001:db8::1' }, outcome: 'denied', reason: 'missing role' }),
      exampleAuditEvent({ traceId: undefined, details: undefined, actor: { type: 'system', id: 'scheduler' } }),
      exampleAuditEvent({ ts: '2026-03-02T15:30:00.5+01:00', details: { tokenId: 'jti-1', attempts: [1, 2], nested: { ok: true } } }),
    ];
    for (const example of examples) {
      for (const input of [example, JSON.parse(JSON.stringify(example)) as unknown]) {
        expect(fastParse(input)).toBeDefined();
        expectEquivalent(input);
      }
    }
  });
});
