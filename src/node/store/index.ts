// The kiosk's offline store: decisions, encrypted images, outbox, identity, retention and recovery.
export {
  openStore,
  recordDecision,
  DecisionStore,
  type OpenStoreOptions,
  type QueueStats,
  type RecordedDecision,
  type StoredDecision,
} from './store';
export { createFileKeyProvider, createSealedKeyProvider, defaultKeyProvider, type KeyProvider, type Sealer } from './keys';
export { openDatabase, type RecoveryEvent } from './open';
export type { DeviceIdentity } from './identity';
