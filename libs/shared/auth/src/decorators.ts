import { ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { Caller, Role } from '@leakwatch/authz';

export { PUBLIC_ROUTE, Public } from '@leakwatch/runtime';
export const REQUIRED_ROLES = 'leakwatch:roles';

/** Only these roles may call the route; others get 403 (analysts never mutate). */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export interface AuthenticatedRequest {
  caller?: Caller;
}

/** The authenticated caller of this request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<AuthenticatedRequest>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without authentication');
  return caller;
});
