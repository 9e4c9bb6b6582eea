/**
 * @module Every domain's routes, in one list. A new domain adds one line here.
 */
import type { RouteModule } from './deps.js';
import { systemRoutes } from './system.routes.js';

export const routeModules: RouteModule[] = [systemRoutes];
