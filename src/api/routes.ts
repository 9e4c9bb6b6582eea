/**
 * @module Every domain's routes, in one list. A new domain adds one line here.
 */
import type { RouteModule } from './deps.js';
import { systemRoutes } from './system.routes.js';
import { contactsRoutes } from '../contacts/contacts.routes.js';
import { listsRoutes } from '../lists/lists.routes.js';
import { membershipsRoutes } from '../lists/memberships.routes.js';
import { consentRoutes } from '../consent/consent.routes.js';
import { keysRoutes } from '../keys/keys.routes.js';
import { ingestRoutes } from '../events/ingest.routes.js';
import { journeysRoutes } from '../journeys/journeys.routes.js';
import { templateRoutes } from '../templates/routes.js';
import { runsRoutes } from '../journeys/runs.routes.js';

export const routeModules: RouteModule[] = [systemRoutes, contactsRoutes, listsRoutes, membershipsRoutes, consentRoutes, keysRoutes, ingestRoutes, journeysRoutes, templateRoutes, runsRoutes];
