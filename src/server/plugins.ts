// The parts of the central API, in registration order: one line each. A plugin's tables are migrated before any
// route is served; its routes get the ServerContext.
import type { ServerPlugin } from './context';
import { BRANCH_MIGRATIONS } from './branch';
import { CORE_MIGRATIONS, DEVICE_MIGRATIONS } from './core-schema';
import { CONSOLE_PLUGIN } from './console/plugin';
import { auditRoutes } from './routes/audit';
import { deviceRoutes } from './routes/devices';
import { faceRoutes } from './faces/plugin';
import { IMAGE_VAULT_MIGRATIONS } from './image-vault';
import { healthRoutes } from './routes/health';
import { kioskRoutes } from './routes/kiosk';
import { passiveRoutes } from './routes/passive';
import { reviewRoutes } from './routes/reviews';
import { sessionRoutes } from './routes/sessions';
import { webhookRoutes } from './routes/webhooks';
import { workflowRoutes } from './routes/workflows';

export const SERVER_PLUGINS: readonly ServerPlugin[] = [
  { name: 'core', migrations: CORE_MIGRATIONS },
  { name: 'branch', migrations: BRANCH_MIGRATIONS },
  { name: 'image-vault', migrations: IMAGE_VAULT_MIGRATIONS },
  { name: 'health', routes: healthRoutes },
  { name: 'devices', migrations: DEVICE_MIGRATIONS, routes: deviceRoutes },
  { name: 'sessions', routes: sessionRoutes },
  { name: 'reviews', routes: reviewRoutes },
  { name: 'audit', routes: auditRoutes },
  { name: 'webhooks', routes: webhookRoutes },
  { name: 'passive', routes: passiveRoutes },
  { name: 'workflows', routes: workflowRoutes },
  { name: 'kiosk', routes: kioskRoutes },
  CONSOLE_PLUGIN,
  { name: 'faces', routes: faceRoutes },
];
