/**
 * Keeps the token index current from `leakwatch.leaks.v1`; revision-guarded, so redeliveries are harmless.
 * The consumer group is versioned with the index tables: a new version reads the topic from the beginning.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CloudEvent, MESSAGE_BUS, MessageBus, TOPICS } from '@leakwatch/messaging';
import { BusConsumer, SERVICE_NAME } from '@leakwatch/runtime';
import { TokenIndex } from './token-index';

@Injectable()
export class TokenIndexFeed extends BusConsumer {
  private readonly logger = new Logger('TokenIndexFeed');

  constructor(
    private readonly index: TokenIndex,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(SERVICE_NAME) service: string,
  ) {
    super(bus, TOPICS.leaks, `${service}.gateway.tokens.v2`);
  }

  protected override prepare(): Promise<void> {
    return this.index.load();
  }

  protected async handle(event: CloudEvent): Promise<void> {
    const data = event.data as {
      leakid?: string;
      kind?: string;
      fingerprint?: string | null;
      identity?: { email?: string | null } | null;
      site?: { domain?: string | null } | null;
      org_id?: string | null;
    };
    const revision = Number(event.extensions?.streamrevision);
    if (!data?.leakid || !Number.isInteger(revision)) return;
    switch (event.type) {
      case 'LeakDetected':
        // Tokens only: old credential events carry their password's plain hash (issue 15.4), and a password is
        // never matchable by a token check anyway (see token-index.ts).
        if (data.kind === 'token' && typeof data.fingerprint === 'string' && /^[0-9a-f]{64}$/.test(data.fingerprint)) {
          await this.index.addLeak(
            { leakid: data.leakid, fingerprint: data.fingerprint, identityEmail: data.identity?.email, siteDomain: data.site?.domain, orgId: data.org_id },
            revision,
          );
        }
        return;
      case 'VirtualPatchApplied':
        return this.index.setBlocked(data.leakid, true, revision);
      case 'VirtualPatchRemoved':
        return this.index.setBlocked(data.leakid, false, revision);
      default:
        if (event.type.startsWith('Leak') || event.type.startsWith('Virtual')) return;
        this.logger.debug(`ignored ${event.type}`);
    }
  }
}
