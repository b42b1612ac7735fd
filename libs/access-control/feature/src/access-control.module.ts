/**
 * Organisations, members and roles (through their API keys), API keys, domain verification.
 * The module is mounted by the `access-control` app and by the embedded `leakwatch` app (target `all`).
 */
import { DynamicModule, Module } from '@nestjs/common';
import { createOwnershipChecker } from '@leakwatch/access-control/verification';
import { LEAKWATCH_CONFIG, LeakwatchConfig } from '@leakwatch/runtime';
import { ACCESS_CONTROL_OPTIONS, AccessControlOptions, accessControlOptionsFrom } from './access-control.options';
import { AccessProjectionRunner } from './application/access-projection-runner';
import { IssueApiKeyHandler, RevokeApiKeyHandler, RotateApiKeyHandler } from './application/api-key.commands';
import { BootstrapAdminKey } from './application/bootstrap-admin-key';
import { DirectoryWriteThrough } from './application/directory-write-through';
import { ClaimDomainHandler, OWNERSHIP_CHECKER, RevokeDomainHandler, VerifyDomainHandler } from './application/domain.commands';
import { CreateOrganizationHandler } from './application/organization.commands';
import { ApiKeysController } from './http/api-keys.controller';
import { DomainsController } from './http/domains.controller';
import { OrganizationsController } from './http/organizations.controller';
import { AccessQueries } from './read-model/access-queries';

@Module({})
export class AccessControlModule {
  /** Options default to the configuration; tests pass their own (local DNS server, loopback HTTP). */
  static forRoot(options?: Partial<AccessControlOptions>): DynamicModule {
    return {
      module: AccessControlModule,
      controllers: [OrganizationsController, ApiKeysController, DomainsController],
      providers: [
        {
          provide: ACCESS_CONTROL_OPTIONS,
          inject: [LEAKWATCH_CONFIG],
          useFactory: (config: LeakwatchConfig): AccessControlOptions => ({ ...accessControlOptionsFrom(config), ...options }),
        },
        {
          provide: OWNERSHIP_CHECKER,
          inject: [ACCESS_CONTROL_OPTIONS],
          useFactory: (o: AccessControlOptions) =>
            createOwnershipChecker({
              dnsServers: o.dnsServers.length ? o.dnsServers : undefined,
              dnsTimeoutMs: o.dnsTimeoutMs,
              httpTimeoutMs: o.httpTimeoutMs,
              allowPrivateAddresses: o.allowPrivateVerificationTargets,
              allowInsecureHttp: o.allowPrivateVerificationTargets,
              httpPort: o.verificationHttpPort,
            }),
        },
        AccessQueries,
        AccessProjectionRunner,
        DirectoryWriteThrough,
        CreateOrganizationHandler,
        IssueApiKeyHandler,
        RotateApiKeyHandler,
        RevokeApiKeyHandler,
        ClaimDomainHandler,
        VerifyDomainHandler,
        RevokeDomainHandler,
        BootstrapAdminKey,
      ],
    };
  }
}
