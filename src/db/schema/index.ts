export * from './shipments';
export * from './policies';
export * from './inventory';
export * from './messages';
export * from './claims';
export * from './webhooks';
export * from './refunds';
export * from './api-keys';
