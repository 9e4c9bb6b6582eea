/**
 * @module Every command group of the CLI, in one list. A new group adds one line here.
 */
import type { Command } from 'commander';
import { serverCommands } from './server.js';
import { journeyCommands } from './journeys.js';
import { templatesCommands } from './templates.js';
import { keysCommands } from './keys.js';
import { contactsCommands } from './contacts.js';
import { segmentsCommands } from './segments.js';
import { statsCommands } from './stats.js';
import { backupCommands } from './backup.js';
import { mailCommands } from './mail.js';
import { workspacesCommands } from './workspaces.js';

export type CommandGroup = (program: Command) => void;

export const commandGroups: CommandGroup[] = [
  serverCommands,
  journeyCommands,
  templatesCommands,
  keysCommands,
  contactsCommands,
  segmentsCommands,
  statsCommands,
  backupCommands,
  mailCommands,
  workspacesCommands,
];
