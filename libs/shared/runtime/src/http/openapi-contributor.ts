import { Global, Injectable, Module } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';

/** A module that adds to the served OpenAPI document (the gateway merges its upstreams' documents). */
export interface OpenApiContributor {
  contribute(document: OpenAPIObject): OpenAPIObject;
}

/** Where modules register contributors; the docs endpoint applies them on each request. */
@Injectable()
export class OpenApiContributors {
  private readonly contributors: OpenApiContributor[] = [];

  add(contributor: OpenApiContributor): void {
    this.contributors.push(contributor);
  }

  apply(document: OpenAPIObject): OpenAPIObject {
    return this.contributors.reduce((doc, c) => c.contribute(doc), document);
  }
}

@Global()
@Module({ providers: [OpenApiContributors], exports: [OpenApiContributors] })
export class OpenApiModule {}
