/**
 * Write-through to this process's access directory (the cache every authenticator reads): after a key or
 * domain command appended, the stream's events are applied here before the command answers, instead of
 * arriving a moment later through the access feed. So a revoked or rotated-away key is refused by every
 * authenticator of this process once DELETE/rotate has answered, and a key is usable once its 201 is sent.
 * The feed delivers the same events again later; the directory's revision guard makes that a no-op.
 */
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AccessDirectory } from '@leakwatch/auth';
import { isAccessEvent } from '@leakwatch/contracts';
import { EVENT_STORE, EventStore } from '@leakwatch/event-store';

@Injectable()
export class DirectoryWriteThrough {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    /** Absent only where no AuthModule is mounted (some tests): nothing to keep current then. */
    @Optional() private readonly directory?: AccessDirectory,
  ) {}

  async sync(streamId: string): Promise<void> {
    if (!this.directory) return;
    for (const recorded of await this.store.readStream(streamId)) {
      const event = { type: recorded.type, data: recorded.data };
      if (isAccessEvent(event)) await this.directory.apply(event, recorded.revision);
    }
  }
}
