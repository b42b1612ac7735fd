/**
 * The local blocked set: fingerprint → the leaks that block it. A token can have leaked at several
 * organisations, so it stays blocked until every leak that blocks it is unblocked. Pure, O(1) per lookup.
 */
export interface BlocklistChange {
  seq: number;
  sha256: string;
  leakid: string;
  blocked: boolean;
}

export class BlockedSet {
  private readonly byFingerprint = new Map<string, Set<string>>();

  apply(change: BlocklistChange): void {
    const leaks = this.byFingerprint.get(change.sha256);
    if (change.blocked) {
      if (leaks) leaks.add(change.leakid);
      else this.byFingerprint.set(change.sha256, new Set([change.leakid]));
      return;
    }
    if (!leaks) return;
    leaks.delete(change.leakid);
    if (leaks.size === 0) this.byFingerprint.delete(change.sha256);
  }

  has(sha256: string): boolean {
    return this.byFingerprint.has(sha256);
  }

  /** Number of blocked fingerprints. */
  get size(): number {
    return this.byFingerprint.size;
  }
}
