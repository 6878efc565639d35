import { ContractViolation } from './contract';

describe('ContractViolation', () => {
  it('reads as topic, field and problem', () => {
    const violation = new ContractViolation('market.orders.v1', 'price', 'must be > 0 (got number)');
    expect(violation).toBeInstanceOf(Error);
    expect(violation.name).toBe('ContractViolation');
    expect(violation.message).toBe('market.orders.v1: field "price" must be > 0 (got number)');
    expect(violation.others).toEqual([]);
  });

  it('lists further broken fields by name, at most five', () => {
    const others = ['a', 'b', 'c', 'd', 'e', 'f'].map((field) => ({ field, problem: 'is required' }));
    expect(new ContractViolation('t', 'x', 'is required', others.slice(0, 2)).message).toBe('t: field "x" is required (+2 more: a, b)');
    expect(new ContractViolation('t', 'x', 'is required', others).message).toBe('t: field "x" is required (+6 more: a, b, c, d, e, ...)');
  });
});
