// Sync of the outbox to the central API.
export { createSyncClient, DEFAULT_BATCH_SIZE, type SyncClient, type SyncClientOptions, type SyncLoopHandle } from './client';
export * from './queue';
export * from './evidence';
