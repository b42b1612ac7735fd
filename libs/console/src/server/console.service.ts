/**
 * Holds the bundle, built in the background when the module starts (so start-up does not wait for it, and
 * by the time someone opens the page it is ready; a request that comes earlier waits for the build).
 * A build failure keeps the API up and answers the console with 503 saying why.
 */
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConsoleAsset, ConsoleBundle, buildConsole } from './console-assets';

export type ConsoleLookup = { asset?: ConsoleAsset; unavailable?: string };

@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private readonly logger = new Logger('Console');
  private building?: Promise<ConsoleBundle | string>;

  onModuleInit(): void {
    this.building = buildConsole().then(
      (bundle) => {
        this.logger.log(`web console built in ${bundle.buildMs} ms (${(bundle.firstLoadCompressedBytes / 1024).toFixed(1)} KiB compressed first load)`);
        return bundle;
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(`web console build failed, / answers 503: ${reason}`);
        return reason;
      },
    );
  }

  async find(urlPath: string): Promise<ConsoleLookup> {
    const built = await (this.building ??= Promise.resolve('the console module has not started'));
    return typeof built === 'string' ? { unavailable: built } : { asset: built.assets.get(urlPath) };
  }
}
