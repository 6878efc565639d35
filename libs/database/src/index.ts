export { migrate, MigrationError, type MigrateOptions } from './migrations';
