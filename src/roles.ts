// The roles a process can run (DESIGN.md section 8). The relay is built into service.ts.
import type { Role } from './config.js';
import type { RoleStarter } from './service.js';

const api: RoleStarter = async () => ({ stop: async () => {} });

export const defaultRoles: Partial<Record<Role, RoleStarter>> = { api };
