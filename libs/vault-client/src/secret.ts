import { inspect } from 'node:util';
import { VaultClientError } from './vault-client.errors';

export interface LeaseInfo {
  id: string;
  /** When the vault stops honouring the lease unless it is renewed. */
  expiresAt: Date;
  /** False once the lease reached its maximum lifetime: the client reads the secret again instead. */
  renewable: boolean;
}

/** One version of a secret as the vault handed it out. */
export interface SecretVersion {
  version: number;
  data: Readonly<Record<string, string>>;
  lease: LeaseInfo;
}

let replace: (secret: Secret, next: SecretVersion, onListenerError: (error: unknown) => void) => boolean;
let wipe: (secret: Secret) => void;

/**
 * A secret held in memory: `get(field)` gives a value when the service needs it (open the
 * database pool, sign a checkpoint). The values are kept in private fields, so a Secret
 * that reaches a log line, JSON.stringify or util.inspect shows `[Secret <path> v<N>]`
 * and nothing else. The client swaps in a new version when the secret is rotated;
 * `onChange` listeners hear about it (e.g. to reconnect with the new password).
 */
export class Secret {
  #version: number;
  #fields: Map<string, Buffer>;
  #lease: LeaseInfo;
  #listeners = new Set<(secret: Secret) => void>();

  static {
    replace = (secret, next, onListenerError) => secret.#replace(next, onListenerError);
    wipe = (secret) => secret.#wipe();
  }

  constructor(
    readonly path: string,
    first: SecretVersion,
  ) {
    this.#version = first.version;
    this.#fields = toBuffers(first.data);
    this.#lease = first.lease;
  }

  get version(): number {
    return this.#version;
  }

  get lease(): Readonly<LeaseInfo> {
    return this.#lease;
  }

  /** The field names (never values). */
  fields(): string[] {
    return [...this.#fields.keys()];
  }

  has(field: string): boolean {
    return this.#fields.has(field);
  }

  /** The value of `field`; throws `missing_field` naming the path and the fields it has. */
  get(field: string): string {
    const value = this.#fields.get(field);
    if (!value) throw new VaultClientError('missing_field', `secret ${this.path} v${this.#version} has no field "${field}" (it has: ${this.fields().join(', ') || 'none'})`, this.path);
    return value.toString('utf8');
  }

  /** Called after each rotation with this (updated) Secret; returns the unsubscribe function. */
  onChange(listener: (secret: Secret) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  toJSON(): string {
    return this.toString();
  }

  toString(): string {
    return `[Secret ${this.path} v${this.#version}]`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #replace(next: SecretVersion, onListenerError: (error: unknown) => void): boolean {
    this.#lease = next.lease;
    if (next.version === this.#version) return false;
    this.#wipe();
    this.#version = next.version;
    this.#fields = toBuffers(next.data);
    // One failing listener must not keep the others from hearing about the new version.
    for (const listener of this.#listeners) {
      try {
        listener(this);
      } catch (error) {
        onListenerError(error);
      }
    }
    return true;
  }

  #wipe(): void {
    for (const value of this.#fields.values()) value.fill(0);
    this.#fields = new Map();
  }
}

/** Client internals: swap in a newer version (true when the version changed) / forget the values. */
export const secretInternals = {
  replace: (secret: Secret, next: SecretVersion, onListenerError: (error: unknown) => void = () => undefined) => replace(secret, next, onListenerError),
  wipe: (secret: Secret) => wipe(secret),
};

function toBuffers(data: Readonly<Record<string, string>>): Map<string, Buffer> {
  return new Map(Object.entries(data).map(([field, value]) => [field, Buffer.from(value, 'utf8')]));
}
