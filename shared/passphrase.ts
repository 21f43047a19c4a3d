/** The vault passphrase rule, shared by the core (which enforces it) and the forms (which explain it early). */
export const MIN_PASSPHRASE_LENGTH = 8;
