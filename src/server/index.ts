// The central API that kiosks sync to.
export { createServer, type LivenessServer, type PassiveEngine, type ServerOptions } from './app';
export { signWebhook, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './webhooks';
export type { WebhookTarget } from './storage';
