/**
 * API key: issued once (only its SHA-256 hash and a display prefix are ever stored), rotated (new secret,
 * same id, role and limits), revoked for good. Expiry is a fact of the key, judged against the caller's clock.
 */
import { Decider, accept, assertNever, refuse } from '@leakwatch/decider';
import { Role, isGlobalRole } from './roles';

export type ApiKeyType = 'public' | 'private';

export interface ApiKeyIssuedData {
  key_id: string;
  name: string;
  role: Role;
  org_id: string | null;
  user_email: string | null;
  type: ApiKeyType;
  /** Authenticated requests per UTC day. */
  limit: number;
  expires_at: string | null;
  key_hash: string;
  prefix: string;
  issued_at: string;
}

export type ApiKeyEvent =
  | { type: 'ApiKeyIssued'; data: ApiKeyIssuedData }
  // org_id is repeated on every event: it is the integration message key, which keeps one key's events in order.
  | { type: 'ApiKeyRotated'; data: { key_id: string; org_id: string | null; key_hash: string; prefix: string; rotated_at: string } }
  | { type: 'ApiKeyRevoked'; data: { key_id: string; org_id: string | null; revoked_at: string } };

export type ApiKeyCommand =
  | { type: 'IssueApiKey'; key: Omit<ApiKeyIssuedData, 'issued_at'>; at: string }
  | { type: 'RotateApiKey'; keyId: string; keyHash: string; prefix: string; at: string }
  | { type: 'RevokeApiKey'; keyId: string; at: string };

export type ApiKeyState =
  | { status: 'none' }
  | { status: 'active' | 'revoked'; key: ApiKeyIssuedData };

export type ApiKeyRefusal = 'key_exists' | 'key_not_found' | 'key_revoked' | 'invalid_limit' | 'expiry_in_past' | 'org_required' | 'global_role_with_org';

export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent, ApiKeyRefusal> = {
  initialState: () => ({ status: 'none' }),
  decide: (command, state) => {
    switch (command.type) {
      case 'IssueApiKey': {
        if (state.status !== 'none') return refuse('key_exists');
        const key = command.key;
        const global = isGlobalRole(key.role);
        if (global && key.org_id) return refuse('global_role_with_org');
        if (!global && !key.org_id) return refuse('org_required');
        if (!Number.isInteger(key.limit) || key.limit < 1) return refuse('invalid_limit');
        if (key.expires_at && key.expires_at <= command.at) return refuse('expiry_in_past');
        return accept({ type: 'ApiKeyIssued', data: { ...key, issued_at: command.at } });
      }
      case 'RotateApiKey':
        if (state.status === 'none') return refuse('key_not_found');
        if (state.status === 'revoked') return refuse('key_revoked');
        return accept({
          type: 'ApiKeyRotated',
          data: { key_id: command.keyId, org_id: state.key.org_id, key_hash: command.keyHash, prefix: command.prefix, rotated_at: command.at },
        });
      case 'RevokeApiKey':
        if (state.status === 'none') return refuse('key_not_found');
        if (state.status === 'revoked') return accept(); // already revoked: idempotent, no event
        return accept({ type: 'ApiKeyRevoked', data: { key_id: command.keyId, org_id: state.key.org_id, revoked_at: command.at } });
      default:
        return assertNever(command, 'api key command');
    }
  },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ApiKeyIssued':
        return { status: 'active', key: event.data };
      case 'ApiKeyRotated':
        return state.status === 'none' ? state : { ...state, key: { ...state.key, key_hash: event.data.key_hash, prefix: event.data.prefix } };
      case 'ApiKeyRevoked':
        return state.status === 'none' ? state : { status: 'revoked', key: state.key };
      default:
        return assertNever(event, 'api key event');
    }
  },
};

/** Active and not expired at `now` (ISO-8601 UTC strings compare chronologically). */
export function isUsable(state: ApiKeyState, now: string): boolean {
  return state.status === 'active' && (!state.key.expires_at || state.key.expires_at > now);
}
