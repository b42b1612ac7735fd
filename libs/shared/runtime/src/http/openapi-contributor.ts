import type { OpenAPIObject } from '@nestjs/swagger';

/** A module that adds to the served OpenAPI document (the gateway merges its upstreams' documents). */
export interface OpenApiContributor {
  contribute(document: OpenAPIObject): OpenAPIObject;
}

export const OPENAPI_CONTRIBUTOR = Symbol('OPENAPI_CONTRIBUTOR');
