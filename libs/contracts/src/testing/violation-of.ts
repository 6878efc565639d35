import { type Contract, ContractViolation } from '../contract';

/**
 * The ContractViolation that contract.parse(input) throws, for tests that assert a rejection
 * (`expect(violationOf(c, bad).field).toBe('price')`). Throws when parse accepts the input,
 * and rethrows anything that is not a ContractViolation.
 */
export function violationOf(contract: Contract<unknown>, input: unknown): ContractViolation {
  try {
    contract.parse(input);
  } catch (error) {
    if (error instanceof ContractViolation) return error;
    throw error;
  }
  throw new Error(`${contract.topic}: expected a ContractViolation, but parse accepted the input`);
}
