export { migrate, MigrationError, serviceMigrationsDir, type MigrateOptions } from './migrations';
