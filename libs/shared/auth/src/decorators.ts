import { ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Caller, Role } from '@leakwatch/authz';

export { PUBLIC_ROUTE, Public } from '@leakwatch/runtime';
export const REQUIRED_ROLES = 'leakwatch:roles';

/**
 * Only these roles may call the route; others get 403 (analysts never mutate). The OpenAPI document says so
 * (`x-required-roles`, and a 403 answer added when the document is finished).
 */
export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(REQUIRED_ROLES, roles), ApiExtension('x-required-roles', roles));

export interface AuthenticatedRequest {
  caller?: Caller;
}

/** The authenticated caller of this request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});
