export * from './access-control.module';
export * from './access-control.options';
export { BOOTSTRAP_KEY_ID } from './application/bootstrap-admin-key';
export { accessProjection } from './read-model/access.projection';
