// The roles a process can run (DESIGN.md section 8). The relay is built into service.ts.
import type { Role } from './config.js';
import { registerLeadRoutes } from './http/routes/leadRoutes.js';
import { registerAdRoutes } from './http/routes/adRoutes.js';
import { registerHuntRoutes } from './http/routes/huntRoutes.js';
import { registerLobstrWebhook } from './http/routes/lobstrWebhookRoutes.js';
import { startMatcher } from './consumers/matcher/matcherRole.js';
import { startSender } from './consumers/sender/senderRole.js';
import { startImporter } from './importer/importerRole.js';
import { startScheduler } from './producers/ticks/scheduler.js';
import { registerTickRoutes } from './http/routes/tickRoutes.js';
import type { RoleStarter } from './service.js';

const api: RoleStarter = async (ctx, app) => {
  for (const register of [registerAdRoutes, registerHuntRoutes, registerLeadRoutes, registerTickRoutes, registerLobstrWebhook]) register(ctx)(app);
  return { stop: async () => {} };
};

export const defaultRoles: Partial<Record<Role, RoleStarter>> = {
  api,
  scheduler: (ctx) => startScheduler(ctx),
  matcher: (ctx) => startMatcher(ctx),
  sender: (ctx) => startSender(ctx),
  importer: (ctx) => startImporter(ctx),
};
