/**
 * @module The part of a template's render input that every channel takes the same way from a send
 * request and its workspace: who it is for, the run's trigger/event/journey data, and the workspace's
 * name and postal address (`{{ workspace.* }}`). A channel adds the template and its own links.
 */
import type { RenderInput } from '../templates/render.js';
import type { WorkspaceSettings } from '../templates/workspace-settings.js';
import type { SendRequest } from './channel.js';

export type RenderContextOf = Pick<RenderInput, 'workspaceId' | 'contact' | 'context' | 'workspace'>;

export function renderContextOf(request: SendRequest, workspace: Pick<WorkspaceSettings, 'name' | 'postalAddress'>): RenderContextOf {
  const { trigger, event, data } = request.context;
  return {
    workspaceId: request.workspaceId,
    contact: request.contact,
    context: { trigger, event, data },
    workspace: { name: workspace.name, postalAddress: workspace.postalAddress ?? '' },
  };
}
