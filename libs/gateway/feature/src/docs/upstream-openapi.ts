/**
 * Distributed mode: the gateway's /docs covers every endpoint, so it merges the OpenAPI documents the
 * upstream services publish (refreshed in the background; a service that is down keeps its last copy).
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { LEAKWATCH_CONFIG, LeakwatchConfig, OpenApiContributor, OpenApiContributors } from '@leakwatch/runtime';

@Injectable()
export class UpstreamOpenApi implements OpenApiContributor, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UpstreamOpenApi');
  private readonly documents = new Map<string, OpenAPIObject>();
  private timer?: NodeJS.Timeout;

  constructor(@Inject(LEAKWATCH_CONFIG) private readonly config: LeakwatchConfig, contributors: OpenApiContributors) {
    contributors.add(this);
  }

  onApplicationBootstrap(): void {
    if (!Object.values(this.config.upstreams).some(Boolean)) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 30_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Adds upstream paths and schemas to the gateway's own document. */
  contribute(document: OpenAPIObject): OpenAPIObject {
    const merged: OpenAPIObject = { ...document, paths: { ...document.paths }, components: { ...document.components, schemas: { ...document.components?.schemas } } };
    for (const upstream of this.documents.values()) {
      for (const [path, item] of Object.entries(upstream.paths ?? {})) if (!merged.paths[path]) merged.paths[path] = item;
      Object.assign(merged.components!.schemas!, upstream.components?.schemas ?? {});
    }
    return merged;
  }

  async refresh(): Promise<void> {
    await Promise.all(
      Object.entries(this.config.upstreams).map(async ([service, base]) => {
        if (!base) return;
        try {
          const response = await fetch(new URL('/docs/openapi.json', base), { signal: AbortSignal.timeout(5000) });
          if (response.ok) this.documents.set(service, (await response.json()) as OpenAPIObject);
        } catch (error) {
          this.logger.debug(`OpenAPI of ${service} not available yet: ${(error as Error).message}`);
        }
      }),
    );
  }
}
