// The business console: Fastify plugin, its storage, and the integrators' per-user API keys.
export { CONSOLE_PLUGIN, consoleRoutes, CSRF_HEADER, SESSION_COOKIE, LOGIN_RATE_LIMIT } from './plugin';
export { ConsoleStore, ROLES, type ApiKeyPrincipal, type Role } from './store';
export { consoleWorkflows, consoleDestinations, type ConsoleWorkflow } from './workflows';
export { buildConsole, consoleDir, consoleIsBuilt, CONSOLE_OUT, ensureConsoleBuilt } from './build';
export { toCsv, csvCell } from './csv';
