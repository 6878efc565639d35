/**
 * The logging surface libs/kafka needs. A pino logger satisfies it as is, so services
 * pass their own (with its redaction rules); nothing here ever logs a message value.
 */
export interface KafkaLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** For callers that really want no output (tests); services should pass their pino logger. */
export const silentLogger: KafkaLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
