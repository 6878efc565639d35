export { Contract, AvroRecordSchema, ContractViolation } from './contract';
