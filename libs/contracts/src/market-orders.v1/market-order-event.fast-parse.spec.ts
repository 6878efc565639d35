import { exampleFillEvent, exampleOrderEvent } from '../testing';
import { fastParseProblem, ODD_FIELD_VALUES, ODD_TIMESTAMPS, PROTOTYPE_KEYS, Rng, treeDifference } from '../testing/fast-parse-equivalence';
import { defineContract } from '../validation/define-contract';
import { marketOrderEventSchema } from './market-order-event.schema';
import { fastParseMarketOrderEvent as fastParse } from './market-order-event.fast-parse';
import { marketOrdersContract, marketOrdersContractSpec } from './market-orders.contract';
import { ORDER_EVENT_TYPES, ORDER_SIDES, ORDER_TYPES } from './market-order-event.type';

// The contract as it was before the fast path: the schema alone decides.
const { fastParse: _unused, ...schemaOnlySpec } = marketOrdersContractSpec;
const schemaOnly = defineContract(schemaOnlySpec);

const FIELDS = [
  'eventId', 'eventType', 'ts', 'venue', 'instrument', 'orderId', 'accountId', 'traderId', 'beneficialOwnerId', 'side',
  'orderType', 'price', 'quantity', 'fillQty', 'fillPrice', 'tradeId', 'leavesQty', 'aggressor',
] as const;

/** A valid event of a random type, with a random choice of the optional fields, in random key order. */
function validEvent(rng: Rng): Record<string, unknown> {
  const eventType = rng.pick(ORDER_EVENT_TYPES);
  const event: Record<string, unknown> = {
    eventId: rng.chance(0.1) ? rng.text(128) : rng.text(rng.int(1, 40)),
    eventType,
    ts: rng.timestamp(),
    venue: rng.text(4),
    instrument: rng.text(12),
    orderId: rng.chance(0.1) ? rng.text(900) : rng.text(),
    accountId: rng.text(),
    side: rng.pick(ORDER_SIDES),
  };
  if (rng.chance(0.7)) event['traderId'] = rng.text();
  if (rng.chance(0.4)) event['beneficialOwnerId'] = rng.text();
  const entry = eventType === 'NEW' || eventType === 'AMEND';
  if (entry || rng.chance(0.2)) event['orderType'] = rng.pick(ORDER_TYPES);
  if (entry || rng.chance(0.2)) event['quantity'] = rng.positive();
  if (event['orderType'] === 'LIMIT' || rng.chance(0.2)) event['price'] = rng.positive();
  const fill = eventType === 'FILL';
  if (fill || rng.chance(0.1)) {
    event['fillQty'] = rng.positive();
    event['fillPrice'] = rng.positive();
    event['tradeId'] = rng.text();
    event['leavesQty'] = rng.pick([0, -0, rng.positive()]);
  }
  if (rng.chance(fill ? 0.7 : 0.1)) event['aggressor'] = rng.chance(0.5);
  if (rng.chance(0.2)) event[rng.pick(['note', 'x-extra', 'venueOrderId', '1'])] = rng.pick(ODD_FIELD_VALUES);
  return rng.chance(0.5) ? Object.fromEntries(rng.shuffle(Object.entries(event))) : event;
}

/** The event with one field changed: removed, swapped for an odd value, or (ts) an odd timestamp. */
function mutate(rng: Rng, event: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...event };
  const field = rng.pick([...FIELDS, 'extra']);
  const choice = rng.next();
  if (choice < 0.15) delete copy[field];
  else if (choice < 0.3 && field === 'ts') copy[field] = rng.pick(ODD_TIMESTAMPS);
  else if (choice < 0.35) copy[field] = rng.pick([...ORDER_EVENT_TYPES, ...ORDER_SIDES, ...ORDER_TYPES, 'new', 'NEWW', 'Buy']);
  else if (choice < 0.45 && typeof copy[field] === 'string') copy[field] = rng.pick([' ', '\u3000', '\u00a0x', '']) + (copy[field] as string);
  else copy[field] = rng.pick(ODD_FIELD_VALUES);
  return copy;
}

/** Odd whole inputs built around a valid event. */
function oddWholes(event: Record<string, unknown>): unknown[] {
  class OrderLike {
    constructor() {
      Object.assign(this, event);
    }
  }
  return [
    null, undefined, 'x', 42, [], [event], new Date(0), new OrderLike(), Object.create(event), Object.assign(Object.create(null), event),
    JSON.parse(`{"__proto__": {"eventType": "NEW"}, ${JSON.stringify(event).slice(1)}`),
    ...PROTOTYPE_KEYS.map((key) => ({ ...event, [key]: { eventId: 'x' } })),
    Object.defineProperty({ ...event }, 'price', { value: 1, enumerable: false }),
    { ...event, beneficialOwnerId: undefined },
    { ...event, [Symbol('s')]: 1 },
  ];
}

function expectEquivalent(input: unknown): void {
  const problem = fastParseProblem(fastParse, schemaOnly.parse, input);
  if (problem) throw new Error(`${problem}\ninput: ${JSON.stringify(input)}`);
  // And the contract as a whole: the same value, or the same violation, as before.
  const actual = outcome(marketOrdersContract.parse, input);
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

describe('market.orders.v1 fast parse', () => {
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

  it('defers or agrees on every odd value in every field, every odd timestamp, and odd whole inputs', () => {
    const bases: Array<Record<string, unknown>> = [{ ...exampleOrderEvent() }, { ...exampleFillEvent() }, { ...exampleOrderEvent({ eventType: 'CANCEL' }) }];
    for (const base of bases) {
      for (const field of [...FIELDS, 'extra']) {
        for (const odd of ODD_FIELD_VALUES) expectEquivalent({ ...base, [field]: odd });
        const { [field]: _removed, ...without } = base;
        expectEquivalent(without);
      }
      for (const ts of ODD_TIMESTAMPS) expectEquivalent({ ...base, ts });
      for (const input of oddWholes(base)) expectEquivalent(input);
    }
  });

  it('takes the example events, also after a JSON round trip', () => {
    const examples = [
      exampleOrderEvent(),
      exampleOrderEvent({ orderType: 'MARKET', price: undefined }),
      exampleOrderEvent({ eventType: 'AMEND', side: 'SELL' }),
      exampleOrderEvent({ eventType: 'CANCEL', beneficialOwnerId: 'BO-9' }),
      exampleFillEvent(),
      exampleFillEvent({ aggressor: undefined, leavesQty: 10 }),
    ];
    for (const example of examples) {
      for (const input of [example, JSON.parse(JSON.stringify(example)) as unknown]) {
        expect(fastParse(input)).toBeDefined();
        expectEquivalent(input);
      }
    }
  });

  it('gives the defaulted beneficialOwnerId its place after the other fields, as the schema does', () => {
    const { beneficialOwnerId: _default, ...event } = exampleOrderEvent();
    expect(Object.keys(fastParse(event) ?? {}).at(-1)).toBe('beneficialOwnerId');
    expect(Object.keys(marketOrderEventSchema.parse(event)).at(-1)).toBe('beneficialOwnerId');
  });
});
