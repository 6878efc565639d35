export type { Contract, AvroRecordSchema } from './contract';
export { ContractViolation } from './contract';
