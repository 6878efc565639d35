import { DynamicModule, Global, Module, type FactoryProvider, type ModuleMetadata, type Provider } from '@nestjs/common';
import { RbacPolicy } from '../rbac/rbac-policy';
import { createTokenVerifier, type TokenVerifier } from '../token/token-verifier';
import { AUDIT_SINK, AUTH_MODULE_OPTIONS, RBAC_POLICY, TOKEN_VERIFIER } from './auth.constants';
import type { AuthModuleOptions } from './auth-module.options';
import { PermissionGuard } from './permission.guard';

export interface AuthModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  useFactory: (...args: never[]) => AuthModuleOptions | Promise<AuthModuleOptions>;
}

/**
 * Token verification, the RBAC policy and PermissionGuard for a service, global so that
 * @RequirePermission works in every module. The policy is loaded and validated when the
 * module starts: a bad policy stops the service with the file and the path of each problem.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return AuthModule.build({ provide: AUTH_MODULE_OPTIONS, useValue: checked(options) }, []);
  }

  static forRootAsync(options: AuthModuleAsyncOptions): DynamicModule {
    return AuthModule.build(
      {
        provide: AUTH_MODULE_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: never[]) => checked(await options.useFactory(...args)),
      },
      options.imports ?? [],
    );
  }

  private static build(optionsProvider: Provider, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    const providers: Provider[] = [
      optionsProvider,
      {
        provide: TOKEN_VERIFIER,
        inject: [AUTH_MODULE_OPTIONS],
        useFactory: (options: AuthModuleOptions): TokenVerifier => ('verify' in options.verifier ? options.verifier : createTokenVerifier(options.verifier)),
      },
      {
        provide: RBAC_POLICY,
        inject: [AUTH_MODULE_OPTIONS],
        useFactory: (options: AuthModuleOptions) => (options.policy instanceof RbacPolicy ? options.policy : RbacPolicy.load(options.policy)),
      },
      { provide: AUDIT_SINK, inject: [AUTH_MODULE_OPTIONS], useFactory: (options: AuthModuleOptions) => options.auditSink },
      PermissionGuard,
    ];
    return {
      module: AuthModule,
      imports,
      providers,
      exports: [AUTH_MODULE_OPTIONS, TOKEN_VERIFIER, RBAC_POLICY, AUDIT_SINK, PermissionGuard],
    };
  }
}

function checked(options: AuthModuleOptions): AuthModuleOptions {
  if (!options || typeof options.service !== 'string' || options.service === '') throw new TypeError('AuthModule service: give the service name written in audit events');
  if (!options.verifier) throw new TypeError('AuthModule verifier: give createTokenVerifier options (issuer, audience, keys) or a TokenVerifier');
  if (!options.auditSink || typeof options.auditSink.record !== 'function') throw new TypeError('AuthModule auditSink: give an AuditSink (an object with record(event))');
  return options;
}
