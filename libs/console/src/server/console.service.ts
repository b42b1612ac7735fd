/** Holds the bundle built at start-up; a build failure keeps the API up and answers the console with 503. */
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConsoleAsset, ConsoleBundle, buildConsole } from './console-assets';

@Injectable()
export class ConsoleAssets implements OnModuleInit {
  private readonly logger = new Logger('Console');
  private bundle?: ConsoleBundle;
  private failure?: string;

  async onModuleInit(): Promise<void> {
    try {
      this.bundle = await buildConsole();
      this.logger.log(`web console built in ${this.bundle.buildMs} ms (${(this.bundle.firstLoadCompressedBytes / 1024).toFixed(1)} KiB compressed first load)`);
    } catch (error) {
      this.failure = error instanceof Error ? error.message : String(error);
      this.logger.error(`web console build failed, / answers 503: ${this.failure}`);
    }
  }

  find(urlPath: string): ConsoleAsset | undefined {
    return this.bundle?.assets.get(urlPath);
  }

  get unavailableReason(): string | undefined {
    return this.bundle ? undefined : (this.failure ?? 'the console is still being built');
  }
}
