// The central API that kiosks sync to.
export { createServer, type LivenessServer, type PassiveEngine, type ServerContext, type ServerOptions, type ServerPlugin } from './app';
export { signWebhook, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './webhooks';
export type { WebhookTarget } from './storage';
