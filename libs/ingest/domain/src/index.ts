/**
 * Ingest domain: pure parsers from secret scanners' reports to normalised `RawFinding`s, the secret-type
 * vocabulary, and the risk rules. No framework, no I/O: the ingest feature hashes, dedups and records.
 */
export * from './raw-finding';
export { isMaskedValue, maskedIdentityOf } from './masking';
export { detectTokenType, normaliseSecretType, isGenericSecretType, secretTypeFor, GENERIC_SECRET } from './secret-type';
export * from './risk';
export { parseGitleaks } from './gitleaks.parser';
export { parseTrufflehog } from './trufflehog.parser';
export { parseSarif } from './sarif.parser';
export * from './github-alert.parser';
export * from './github-alert-actions';
