// Associated data binds a ciphertext to where it belongs. Fields are joined with NUL,
// which no path or key name may contain, so two different bindings never give the same bytes.
const bind = (...fields: Array<string | number>) => Buffer.from(fields.join('\0'), 'utf8');

/** A secret's value at path, version. */
export const secretAad = (path: string, version: number) => bind('vigil.vault.secret', path, version);
/** A transit key's material, wrapped by the keyring. */
export const transitKeyAad = (name: string, version: number) => bind('vigil.vault.transit-key', name, version);
/** Data encrypted by a transit key (the caller's plaintext). */
export const transitDataAad = (name: string, version: number) => bind('vigil.vault.transit', name, version);
/** A keyring data-encryption key, wrapped by the master key. */
export const keyringAad = (version: number) => bind('vigil.vault.keyring', version);
/** The key check value: proves the master key is the one the keyring was created with. */
export const KEY_CHECK_AAD = bind('vigil.vault.key-check', 1);
