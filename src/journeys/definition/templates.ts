/**
 * @module The default `templateExists` for validation: asks the templates domain (archived
 * templates do not count). Validation itself takes the function injected, so it needs no database.
 */
import type { Store } from '../../store/store.js';
import { templateExists } from '../../templates/lookup.js';
import type { TemplateExists } from './fields.js';

export function templatesInStore(store: Store): TemplateExists {
  return (workspaceId, templateId) => templateExists(store.db, workspaceId, templateId);
}
