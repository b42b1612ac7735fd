/**
 * Work that must wait until the process is listening (so a failed start — e.g. a busy port — has done nothing
 * irreversible), run by startLeakwatch right after `listen`, in registration order. The bootstrap admin key
 * uses it: created and printed only once the process can serve it.
 */
import { Global, Injectable, Module } from '@nestjs/common';

export type ListeningHook = (url: string) => Promise<void> | void;

@Injectable()
export class ListeningHooks {
  private readonly hooks: Array<{ name: string; run: ListeningHook }> = [];

  register(name: string, run: ListeningHook): void {
    this.hooks.push({ name, run });
  }

  async run(url: string): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook.run(url);
      } catch (error) {
        throw new Error(`${hook.name} failed after listening: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  }
}

@Global()
@Module({ providers: [ListeningHooks], exports: [ListeningHooks] })
export class ListeningHooksModule {}
